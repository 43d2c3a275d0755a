// N samples, K classes. Classification metrics with scikit-learn's semantics; results are fractions in [0, 1].
import Foundation

/// Which classes a macro or micro average runs over.
public enum ClassSelection: Sendable, Equatable {
    /// Classes that occur in the labels or the predictions (scikit-learn's default `labels=None`).
    case observed
    /// Classes that occur in the labels only (several labs here lack basophils).
    case presentInLabels
    /// Every class of the vocabulary, 0..<K.
    case all
}

/// A K×K confusion matrix: rows are the true class, columns the predicted class.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    public private(set) var counts: [[Int]]

    public init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    public init(labels: [Int], predictions: [Int], classes: Int) {
        precondition(labels.count == predictions.count, "ConfusionMatrix: \(labels.count) labels, \(predictions.count) predictions")
        self.init(classes: classes)
        for (t, p) in zip(labels, predictions) { add(label: t, prediction: p) }
    }

    public mutating func add(label: Int, prediction: Int) {
        precondition(label >= 0 && label < classes && prediction >= 0 && prediction < classes,
                     "ConfusionMatrix: label \(label) or prediction \(prediction) outside 0..<\(classes)")
        counts[label][prediction] += 1
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
    public func predicted(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }

    /// Each row divided by its sum (rows without samples stay 0).
    public var rowNormalized: [[Double]] {
        counts.map { row in let s = row.reduce(0, +); return row.map { s > 0 ? Double($0) / Double(s) : 0 } }
    }

    public var accuracy: Double {
        let t = total
        return t > 0 ? Double((0..<classes).reduce(0) { $0 + counts[$1][$1] }) / Double(t) : 0
    }

    /// Precision, recall, F1 and support of class c; 0 where a ratio is 0/0 (zero_division = 0).
    public func perClass(_ c: Int) -> (precision: Double, recall: Double, f1: Double, support: Int) {
        let tp = Double(counts[c][c]), predictedCount = Double(predicted(c)), supportCount = support(c)
        let precision = predictedCount > 0 ? tp / predictedCount : 0
        let recall = supportCount > 0 ? tp / Double(supportCount) : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return (precision, recall, f1, supportCount)
    }

    /// The class indices selected for averaging.
    public func classes(_ selection: ClassSelection) -> [Int] {
        switch selection {
        case .all: return Array(0..<classes)
        case .presentInLabels: return (0..<classes).filter { support($0) > 0 }
        case .observed: return (0..<classes).filter { support($0) > 0 || predicted($0) > 0 }
        }
    }

    /// Unweighted mean of the per-class F1 over the selected classes (scikit-learn `average="macro"`).
    public func macroF1(_ selection: ClassSelection = .observed) -> Double {
        let cs = classes(selection)
        return cs.isEmpty ? 0 : cs.map { perClass($0).f1 }.reduce(0, +) / Double(cs.count)
    }

    /// F1 of the pooled counts over the selected classes (scikit-learn `average="micro"`); with every
    /// observed class it equals the accuracy.
    public func microF1(_ selection: ClassSelection = .observed) -> Double {
        let cs = classes(selection)
        let tp = cs.reduce(0) { $0 + counts[$1][$1] }
        let fp = cs.reduce(0) { $0 + predicted($1) - counts[$1][$1] }
        let fn = cs.reduce(0) { $0 + support($1) - counts[$1][$1] }
        let p = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0, r = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        return p + r > 0 ? 2 * p * r / (p + r) : 0
    }

    /// A text report: per-class precision/recall/F1/support, macro and micro F1, and the matrix.
    public func report(classNames: [String]) -> String {
        precondition(classNames.count == classes, "report: \(classNames.count) names for \(classes) classes")
        let width = max(12, (classNames.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        var lines = [pad("class", width) + lpad("precision", 10) + lpad("recall", 10) + lpad("f1", 10) + lpad("support", 10)]
        for c in 0..<classes {
            let m = perClass(c)
            lines.append(pad(classNames[c], width) + lpad(String(format: "%.4f", m.precision), 10)
                         + lpad(String(format: "%.4f", m.recall), 10) + lpad(String(format: "%.4f", m.f1), 10) + lpad("\(m.support)", 10))
        }
        lines.append("")
        lines.append(String(format: "accuracy %.4f   macro F1 %.4f (observed classes)   macro F1 %.4f (classes in labels)   micro F1 %.4f",
                            accuracy, macroF1(.observed), macroF1(.presentInLabels), microF1(.observed)))
        lines.append("")
        lines.append("confusion matrix (rows: true, columns: predicted)")
        lines.append(pad("", width) + classNames.map { lpad(String($0.prefix(8)), 9) }.joined())
        for c in 0..<classes { lines.append(pad(classNames[c], width) + counts[c].map { lpad("\($0)", 9) }.joined()) }
        return lines.joined(separator: "\n")
    }
}
