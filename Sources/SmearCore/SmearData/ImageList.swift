// Image lists: CSV with a header naming `path` (or `file`/`image`/`filename`) and `label` (or `class`/`labelid`)
// columns (the challenge's metadata.csv style), or lines of `path label` separated by spaces (tllib's
// ImageList; the label an index or a name); `#` lines are comments; CSV as RFC 4180 (CSV.swift), LF or CRLF. An image
// is labelled on every line or on none. Foundation only: the fuzz target
// (Fuzz/ImageListFuzz.swift) builds it alone.
import Foundation

public enum ImageList {
    /// Numeric labels are class indices below this (a larger one is a typo, not a vocabulary of that size).
    public static let maximumClasses = 100_000

    /// The rows of a list's text (paths relative to `file`'s folder; `exists` says whether one names a file)
    /// and the class vocabulary: `classes` if given, else the sorted label names, else 0…max index.
    public static func parse(_ text: String, file: URL, classes: [String]?, exists: (String) -> Bool) throws
        -> (rows: [(path: URL, label: Int?)], vocabulary: [String]) {
        let base = file.deletingLastPathComponent()
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let isCSV = firstLine.contains(",")
        var records: [CSV.Record]
        if isCSV {
            do { records = try CSV.parse(text) } catch let e as CSV.ParseError {
                throw DatasetError.listLine(file: file.path, line: e.line, reason: e.reason)
            }
        } else {
            // Split on Characters: "\r\n" is one Character, so CRLF lists read like LF ones.
            records = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map {
                CSV.Record(line: $0.offset + 1, fields: $0.element.split(separator: " ").map(String.init))
            }
        }
        records = records.map { CSV.Record(line: $0.line, fields: $0.fields.map { $0.trimmingCharacters(in: .whitespaces) }) }
        var pathColumn = 0, labelColumn = 1
        if isCSV, let header = records.first {
            let cols = header.fields.map { $0.lowercased() }
            guard let p = cols.firstIndex(where: { ["path", "file", "image", "filename"].contains($0) }) else {
                throw DatasetError.listLine(file: file.path, line: 1, reason: "CSV header needs a path/file/image column, got \(cols)")
            }
            pathColumn = p
            labelColumn = cols.firstIndex(where: { ["label", "class", "labelid"].contains($0) }) ?? -1
            records.removeFirst()
        }
        var vocabulary = classes ?? []
        var rawRows: [(URL, String?, Int)] = []
        for record in records where !record.fields.allSatisfy(\.isEmpty) && !(record.fields.first ?? "").hasPrefix("#") {
            let fields = record.fields, number = record.line
            guard fields.count > pathColumn, !fields[pathColumn].isEmpty else {
                throw DatasetError.listLine(file: file.path, line: number, reason: "no image path in '\(fields.joined(separator: ","))'")
            }
            let path = fields[pathColumn].hasPrefix("/") ? URL(fileURLWithPath: fields[pathColumn]) : base.appendingPathComponent(fields[pathColumn])
            guard exists(path.path) else {
                throw DatasetError.missingFile(file: file.path, line: number, path: path.path)
            }
            let label = labelColumn >= 0 && labelColumn < fields.count && !fields[labelColumn].isEmpty ? fields[labelColumn] : nil
            rawRows.append((path, label, number))
        }
        if let labelled = rawRows.first(where: { $0.1 != nil }), let unlabelled = rawRows.first(where: { $0.1 == nil }) {
            throw DatasetError.listLine(file: file.path, line: unlabelled.2,
                                        reason: "no label, though line \(labelled.2) has one (label every image, or none)")
        }
        if rawRows.isEmpty { throw DatasetError.noImages(file.path) }
        let allNumeric = rawRows.allSatisfy { $0.1.map { Int($0) != nil } ?? true }
        if classes == nil && !allNumeric { vocabulary = Array(Set(rawRows.compactMap(\.1))).sorted() }
        var samples: [(path: URL, label: Int?)] = []
        for (path, label, number) in rawRows {
            guard let label else { samples.append((path, nil)); continue }
            if let i = vocabulary.firstIndex(of: label) { samples.append((path, i)) }
            else if allNumeric, let i = Int(label), i >= 0, i < maximumClasses, classes == nil || i < vocabulary.count {
                samples.append((path, i))
            } else {
                throw DatasetError.unknownLabel(file: file.path, line: number, label: label, known: vocabulary)
            }
        }
        if vocabulary.isEmpty, allNumeric {
            vocabulary = (0...(samples.compactMap(\.label).max() ?? 0)).map(String.init)
        }
        return (samples, vocabulary)
    }
}
