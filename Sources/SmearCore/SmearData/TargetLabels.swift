// Target cells a person labelled: a CSV `image,label` (the template propose_labels writes, filled in), read
// against the target lab. Every row must name one of the target's images, once, with one of the run's classes;
// anything else is an error with its line number. The result splits the target into the labelled cells and the rest.
import Foundation
import SmearTensor

public enum TargetLabels {
    /// The labelled cells (with the CSV's labels, in the target's class vocabulary) and the target without them
    /// (its own labels kept, for scoring the cells nobody labelled).
    public static func read(_ file: URL, target: ImageDataset) throws -> (labelled: ImageDataset, rest: ImageDataset) {
        guard FileKind.of(file.path) == .regular, let bytes = FileManager.default.contents(atPath: file.path) else {
            throw DatasetError.listLine(file: file.path, line: 0, reason: "cannot read the labels file (it must be a CSV image,label)")
        }
        let records: [CSV.Record]
        do { records = try CSV.parse(String(decoding: bytes, as: UTF8.self)) } catch let e as CSV.ParseError {
            throw DatasetError.listLine(file: file.path, line: e.line, reason: e.reason)
        }
        let header = (records.first?.fields ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let imageColumn = header.firstIndex(where: { ["image", "path", "file", "filename"].contains($0) }),
              let labelColumn = header.firstIndex(where: { ["label", "class"].contains($0) }) else {
            throw DatasetError.listLine(file: file.path, line: 1, reason: "the header must name an image column and a label column, got \(header)")
        }
        let base = file.deletingLastPathComponent()
        var index: [String: Int] = [:]
        for (i, s) in target.samples.enumerated() { index[s.path.standardizedFileURL.path] = i }
        var labelOf: [Int: Int] = [:], lineOf: [Int: Int] = [:]
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            let image = imageColumn < fields.count ? fields[imageColumn] : ""
            let label = labelColumn < fields.count ? fields[labelColumn] : ""
            guard !image.isEmpty else { throw DatasetError.listLine(file: file.path, line: record.line, reason: "no image") }
            let url = image.hasPrefix("/") ? URL(fileURLWithPath: image) : base.appendingPathComponent(image)
            guard let i = index[url.standardizedFileURL.path] else {
                throw DatasetError.listLine(file: file.path, line: record.line,
                                            reason: "\(image) is not one of the \(target.count) images of the target \(target.name)")
            }
            guard !label.isEmpty else {
                throw DatasetError.listLine(file: file.path, line: record.line,
                                            reason: "no label for \(image): fill in the label column (classes: \(target.classes.joined(separator: ", ")))")
            }
            guard let c = target.classes.firstIndex(of: label) else {
                throw DatasetError.unknownLabel(file: file.path, line: record.line, label: label, known: target.classes)
            }
            if let earlier = lineOf[i] {
                throw DatasetError.listLine(file: file.path, line: record.line, reason: "\(image) is labelled twice (line \(earlier) too)")
            }
            labelOf[i] = c; lineOf[i] = record.line
        }
        guard !labelOf.isEmpty else { throw DatasetError.listLine(file: file.path, line: 1, reason: "no labelled images") }
        let chosen = labelOf.keys.sorted()
        let labelled = ImageDataset(name: "\(target.name) labelled", samples: chosen.map { Sample(path: target.samples[$0].path, label: labelOf[$0]) },
                                    classes: target.classes)
        let rest = ImageDataset(name: target.name, samples: target.samples.indices.filter { labelOf[$0] == nil }.map { target.samples[$0] },
                                classes: target.classes)
        return (labelled, rest)
    }
}
