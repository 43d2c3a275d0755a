// run.json: what a run folder needs to be reopened without retyping train(): the method and its options,
// every setting, the datasets (file and label of each image) and both labs' channel statistics. Written
// when a Trainer is created (once: an equal record already there is left alone); read by open_run() / RunRecord.open.
import Foundation
import SmearAdapt
import SmearData
import SmearTensor

public struct RunRecord: Codable {
    public struct DatasetRecord: Codable {
        public var name: String, classes: [String]
        public var files: [String], labels: [Int?]

        init(_ d: ImageDataset) {
            name = d.name; classes = d.classes; files = d.samples.map(\.path.path); labels = d.samples.map(\.label)
        }
        var dataset: ImageDataset {
            ImageDataset(name: name, samples: zip(files, labels).map { Sample(path: URL(fileURLWithPath: $0), label: $1) }, classes: classes)
        }
    }

    /// The record's format (RunRecordMigration.swift reads every older one).
    public var schemaVersion: Int
    public var method: String, options: [String: Double]
    public var config: TrainingConfig
    public var source: DatasetRecord, validation: DatasetRecord?, target: DatasetRecord
    /// The target cells a person labelled for training (nil: none; `target` holds the rest).
    public var labelledTarget: DatasetRecord?
    /// The target cells a model labelled for training (nil: none; they are in `target` too).
    public var pseudoLabelledTarget: DatasetRecord?
    public var sourceStatistics: ChannelStatistics, targetStatistics: ChannelStatistics
    /// Further labelled labs, each with its crop and statistics (empty: one source).
    public var moreSources: [SourceLabRecord]

    public init(method: AdaptationMethod, config: TrainingConfig, data: RunData) {
        schemaVersion = Self.currentSchemaVersion
        self.method = method.name; options = method.options.values; self.config = config
        source = DatasetRecord(data.source); validation = data.sourceValidation.map(DatasetRecord.init); target = DatasetRecord(data.target)
        labelledTarget = data.labelledTarget.map(DatasetRecord.init)
        pseudoLabelledTarget = data.pseudoLabelledTarget.map(DatasetRecord.init)
        sourceStatistics = data.sourceStatistics; targetStatistics = data.targetStatistics
        moreSources = data.moreSources.map(SourceLabRecord.init)
    }

    public static func url(in directory: URL) -> URL { directory.appendingPathComponent("run.json") }

    /// Writes run.json atomically, unless the folder already holds this record, in this format or an older one
    /// (reopening a run, resuming it): a run's record is written once and never touched again by a reader. A folder that holds
    /// a run made with other data, method, options or settings is refused, naming each difference (only the
    /// number of epochs may grow).
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(self)
        let url = Self.url(in: directory)
        let existing = FileManager.default.contents(atPath: url.path)
        if existing == bytes { return }
        if RunFolder.holdsRun(directory), let existing, let stored = try? RunRecord.decode(existing) {
            let changed = differences(from: stored)
            guard changed.isEmpty else {
                throw TrainingError.badCheckpoint("\(directory.path) holds a run made with other settings (" + changed.joined(separator: "; ")
                    + "); resume it with its own settings, replace it (overwrite), or choose another folder")
            }
            // The same run in an older format: a reader leaves the file as it is (older smears still read it).
            if stored.config.epochs == config.epochs { return }
        }
        try bytes.write(to: url, options: .atomic)
    }

    /// "name: stored → this" for each input of the run that differs from `stored`'s.
    func differences(from stored: RunRecord) -> [String] {
        var out: [String] = []
        if stored.method != method { out.append("method: \(stored.method) → \(method)") }
        for key in Set(stored.options.keys).union(options.keys).sorted() where stored.options[key] != options[key] {
            out.append("option \(key): \(stored.options[key].map { "\($0)" } ?? "unset") → \(options[key].map { "\($0)" } ?? "unset")")
        }
        func describe(_ d: DatasetRecord?) -> String { d.map { "\($0.name) (\($0.files.count) images)" } ?? "none" }
        for (name, a, b) in [("source", stored.source, source), ("target", stored.target, target)] as [(String, DatasetRecord?, DatasetRecord?)]
            + [("validation", stored.validation, validation), ("labelled target", stored.labelledTarget, labelledTarget),
               ("pseudo-labelled target", stored.pseudoLabelledTarget, pseudoLabelledTarget)] {
            guard a?.files != b?.files || a?.labels != b?.labels || a?.classes != b?.classes else { continue }
            let (x, y) = (describe(a), describe(b))
            out.append("\(name): " + (x == y ? "\(x), other images, labels or classes" : "\(x) → \(y)"))
        }
        let labs = { (r: [SourceLabRecord]) in r.map { "\($0.dataset.name) (\($0.dataset.files.count) images, crop \($0.crop))" } }
        if labs(stored.moreSources) != labs(moreSources) || stored.moreSources.map(\.dataset.labels) != moreSources.map(\.dataset.labels) {
            out.append("more sources: [\(labs(stored.moreSources).joined(separator: ", "))] → [\(labs(moreSources).joined(separator: ", "))]")
        }
        if let storedConfig = try? JSONEncoder().encode(stored.config) {
            out += RunFolder.settingDifferences(stored: String(decoding: storedConfig, as: UTF8.self), current: config)
        }
        return out
    }

    /// The run in `directory`, with its weights, optimizer state and history from `latest` (when there is one).
    public static func open(_ directory: URL) throws -> Trainer {
        let url = url(in: directory)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError.badCheckpoint("\(directory.path) has no run.json: it is not a run folder, or it was written before "
                + "run folders recorded their settings; reopen it with train(..., out=\"\(directory.path)\", resume=true)")
        }
        let record: RunRecord
        do { record = try RunRecord.decode(data) } catch let e as DecodingError {
            throw TrainingError.badCheckpoint("\(url.path) is not a run record smear can read: \(ErrorText.decoding(e))")
        }
        let problems = record.problems()
        guard problems.isEmpty else {
            throw TrainingError.badCheckpoint("\(url.path) is damaged: " + problems.prefix(5).joined(separator: "; ")
                + (problems.count > 5 ? "; …" : "") + ". Undo the edit, or train the run again")
        }
        let method = try MethodRegistry.shared.method(record.method).instantiate(record.options)
        let runData = RunData(source: record.source.dataset, sourceValidation: record.validation?.dataset, target: record.target.dataset,
                              labelledTarget: record.labelledTarget?.dataset, pseudoLabelledTarget: record.pseudoLabelledTarget?.dataset,
                              sourceStatistics: record.sourceStatistics, targetStatistics: record.targetStatistics,
                              moreSources: record.moreSources.map(\.lab))
        let trainer = try Trainer(config: record.config, method: method, data: runData, directory: directory)
        _ = try trainer.resume()
        return trainer
    }
}
