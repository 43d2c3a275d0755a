// N images, K classes. Whole-dataset evaluation, predictions and reports.
import Foundation
import SmearAdapt
import SmearData
import SmearMetrics
import SmearNN
import SmearTensor

/// Logits of a whole dataset and what can be said of them.
public struct Evaluation {
    public let logits: Tensor          // [N, K]
    /// Bottleneck features [N, F], when asked for (`keepFeatures`).
    public var features: Tensor? = nil
    public let labels: [Int?]
    public let samples: [Sample]
    public let classes: [String]

    public var predictions: [Int] { logits.argmax(axis: 1) }
    public var hasLabels: Bool { !labels.isEmpty && labels.allSatisfy { $0 != nil } }

    /// The confusion matrix (labelled datasets only).
    public var confusion: ConfusionMatrix? {
        hasLabels ? ConfusionMatrix(labels: labels.map { $0 ?? 0 }, predictions: predictions, classes: classes.count) : nil
    }

    public var meanEntropy: Double { UnsupervisedCriteria.meanEntropy(logits: logits) }
    public func snd(temperature: Float = 0.05, variant: UnsupervisedCriteria.SNDVariant = .original) -> Double {
        UnsupervisedCriteria.snd(logits: logits, temperature: temperature, variant: variant)
    }

    /// Runs the network in evaluation mode over every image (no augmentation, no gradients). With
    /// `adaptBatchNorm` (AdaBN), the batch-norm statistics are first recomputed over `dataset` and put
    /// back afterwards, so the network is unchanged when this returns.
    /// With `orientations` (test-time augmentation), every image is seen in the 8 orientations of the square
    /// (`Dihedral(fixed:)`) and the softmax probabilities are averaged: the logits returned are their
    /// logarithm (so softmax gives the mean probabilities back, each at least 1e-30), the features their mean.
    public static func run(_ net: AdaptationNetwork, on dataset: ImageDataset, pipeline: ImagePipeline, batchSize: Int = 64,
                           adaptBatchNorm: Bool = false, keepFeatures: Bool = false, orientations: Bool = false,
                           progress: ((Int, Int) -> Void)? = nil) throws -> Evaluation {
        guard dataset.count > 0 else { throw DatasetError.emptyDataset(name: dataset.name, use: "evaluated") }
        if adaptBatchNorm {
            let restore = try AdaBN.adapt(net, to: dataset, pipeline: pipeline, batchSize: batchSize)
            defer { restore() }
            return try run(net, on: dataset, pipeline: pipeline, batchSize: batchSize, keepFeatures: keepFeatures,
                           orientations: orientations, progress: progress)
        }
        if orientations {
            return averaged(try (0..<8).map { k -> Evaluation in
                var oriented = pipeline
                oriented.steps.append(Dihedral(fixed: k))
                return try run(net, on: dataset, pipeline: oriented, batchSize: batchSize, keepFeatures: keepFeatures, progress: progress)
            })
        }
        let wasTraining = net.isTraining
        net.eval()
        defer { net.train(wasTraining) }
        let loader = DataLoader(dataset, pipeline: pipeline, batchSize: batchSize, sampling: .sequential, dropLast: false)
        var parts: [Tensor] = [], featureParts: [Tensor] = []
        for b in 0..<loader.batchesPerEpoch {
            let batch = try loader.batch(epoch: 0, index: b)
            let (f, y) = try withNoGrad { try net.featuresAndLogits([NetworkInput(batch)]) }
            parts.append(y)
            if keepFeatures { featureParts.append(f) }
            progress?(min((b + 1) * batchSize, dataset.count), dataset.count)
        }
        let logits = withNoGrad { Tensor.concat(parts, axis: 0) }
        let classes = net.config.classes == dataset.classes.count ? dataset.classes : (0..<net.config.classes).map(String.init)
        var e = Evaluation(logits: logits, labels: dataset.samples.map(\.label), samples: dataset.samples, classes: classes)
        if keepFeatures { e.features = withNoGrad { Tensor.concat(featureParts, axis: 0) } }
        return e
    }

    /// Views of the same images (orientations, scales) as one evaluation: the softmax probabilities averaged, the
    /// logits returned their logarithm (so softmax gives the mean back, each probability at least 1e-30), the features
    /// their mean when every view kept them.
    public static func averaged(_ views: [Evaluation]) -> Evaluation {
        precondition(!views.isEmpty, "Evaluation.averaged: no views")
        guard views.count > 1 else { return views[0] }
        return withNoGrad {
            let share = 1 / Float(views.count)
            let probabilities = views.dropFirst().reduce(views[0].logits.softmax(axis: 1)) { $0 + $1.logits.softmax(axis: 1) } * share
            var e = Evaluation(logits: (probabilities + 1e-30).log(),   // floor: a probability 0 in every view
                               labels: views[0].labels, samples: views[0].samples, classes: views[0].classes)
            if views.allSatisfy({ $0.features != nil }) {
                e.features = views.dropFirst().reduce(views[0].features!) { $0 + $1.features! } * share
            }
            return e
        }
    }

    /// A relabelling's split of these images (Evaluation+CentroidLabels, Evaluation+LabelPropagation): the last `m`
    /// are cells whose labels a person gave, by index, and how many come before them to relabel. Needs the features.
    func anchoringLast(_ m: Int, for relabelling: String) -> (relabelled: Int, anchors: [Int: Int]) {
        guard features != nil else { preconditionFailure("\(relabelling): the evaluation kept no features") }
        let n = labels.count - m
        precondition(m >= 0 && n > 0, "\(relabelling): \(m) anchored of \(labels.count) images leave none to relabel")
        return (n, Dictionary(uniqueKeysWithValues: (n..<labels.count).map { i -> (Int, Int) in
            guard let label = labels[i] else { preconditionFailure("\(relabelling): an anchored image without a label") }
            return (i, label)
        }))
    }

    /// The first `n` images with new logits [n, K] (a relabelling's result, its anchors left out), their features kept.
    func firstImages(_ n: Int, logits newLogits: [Float]) -> Evaluation {
        var e = Evaluation(logits: Tensor(newLogits, shape: [n, logits.shape[1]]), labels: Array(labels.prefix(n)),
                           samples: Array(samples.prefix(n)), classes: classes)
        e.features = n == labels.count ? features : features.map { f in withNoGrad { f.sliced(axis: 0, 0, n) } }
        return e
    }

    /// Cross-entropy of each labelled image, −log softmax(logits)[label] (nil for an unlabelled dataset).
    public var perImageLosses: [Double]? {
        guard hasLabels else { return nil }
        let logProbabilities = withNoGrad { logits.logSoftmax(axis: 1) }.scalars
        let k = logits.shape[1]
        return labels.enumerated().map { -Double(logProbabilities[$0.offset * k + ($0.element ?? 0)]) }
    }

    /// Writes `image,label_id,label` per image and, in `<name>_probabilities.csv`, the softmax
    /// probability of every class.
    /// The path must end in `.csv`; a file already there (or at the probabilities' path) is replaced only
    /// when it is a predictions file smear wrote, so a checkpoint or a user's file is never overwritten.
    public func writePredictions(to url: URL) throws {
        let probURL = url.deletingLastPathComponent().appendingPathComponent(url.deletingPathExtension().lastPathComponent + "_probabilities.csv")
        guard url.pathExtension.lowercased() == "csv" else { throw PredictionsFileError.notCSV(url.path) }
        try Self.checkReplaceable(url, header: CSV.row(["image", "label_id", "label"]))
        try Self.checkReplaceable(probURL, header: "image,")
        let preds = predictions
        var lines = [CSV.row(["image", "label_id", "label"])]
        for (s, p) in zip(samples, preds) { lines.append(CSV.row([s.path.path, String(p), classes[p]])) }
        try lines.joined().write(to: url, atomically: true, encoding: .utf8)
        let probs = withNoGrad { logits.softmax(axis: 1) }.scalars
        let k = classes.count
        var plines = [CSV.row(["image"] + classes)]
        for (i, s) in samples.enumerated() {
            plines.append(CSV.row([s.path.path] + (0..<k).map { String(format: "%.6f", probs[i * k + $0]) }))
        }
        try plines.joined().write(to: probURL, atomically: true, encoding: .utf8)
    }

    /// Nothing at `url`, or a regular file that starts with `header` (one smear wrote for this purpose).
    static func checkReplaceable(_ url: URL, header: String) throws {
        switch FileKind.of(url.path) {
        case .missing: return
        case .directory, .other: throw PredictionsFileError.notAFile(url.path)
        case .regular:
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let start = String(decoding: (try handle.read(upToCount: header.utf8.count)) ?? Data(), as: UTF8.self)
            guard start == header else { throw PredictionsFileError.wouldReplace(url.path) }
        }
    }

    /// The text report (labelled datasets), with the label-free criteria.
    public func report(title: String) -> String {
        var lines = [title, String(repeating: "=", count: title.count),
                     String(format: "images %d   mean entropy %.4f   SND (T=0.05) %.4f", labels.count, meanEntropy, snd())]
        if let m = confusion { lines += ["", m.report(classNames: classes)] } else { lines.append("(no labels: no F1)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

public enum PredictionsFileError: Error, CustomStringConvertible {
    case notCSV(String), notAFile(String), wouldReplace(String)
    public var description: String {
        switch self {
        case .notCSV(let p): "predictions go to a .csv file, not \(p)"
        case .notAFile(let p): "\(p) is a folder or a special file, not a place for predictions; give a .csv file path"
        case .wouldReplace(let p): "\(p) exists and is not a predictions file smear wrote; choose another path or move that file"
        }
    }
}
