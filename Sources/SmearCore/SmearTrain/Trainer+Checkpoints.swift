// A run's checkpoints and history: the state written after every epoch (atomically: latest with the optimizer's
// momentum, one file per selection criterion's best epoch and the averaged weights when the run keeps them, both
// the model alone), history.jsonl/.csv, and exact resumption from latest.
import Foundation
import SmearData
import SmearMetrics
import SmearNN
import SmearTensor

extension Trainer {
    /// The optimizer's momentum buffers, named after their parameters (latest keeps them for exact resumption).
    func momentumState() -> [(String, Tensor)] {
        var s: [(String, Tensor)] = []
        let names = net.parameterGroups(backboneMultiplier: 1).flatMap(\.parameters).map { p in
            net.namedParameters().first { $0.1 === p }?.0 ?? "?"
        }
        for (name, buf) in zip(names, optimizer.momentumBuffers) { if let buf { s.append(("optimizer.momentum.\(name)", buf)) } }
        return s
    }

    func metadata(_ r: EpochRecord, best: [String: Double]) -> [String: String] {
        let encoder = JSONEncoder()
        return ["epoch": "\(r.epoch)", "iteration": "\(r.iteration)", "optimizer_steps": "\(optimizer.stepCount)",
                "method": method.name,
                "method_options": String(decoding: (try? encoder.encode(method.options.values)) ?? Data(), as: UTF8.self),
                "config": String(decoding: (try? encoder.encode(config)) ?? Data(), as: UTF8.self),
                "classes": data.source.classes.joined(separator: ","),
                "best": String(decoding: (try? encoder.encode(best)) ?? Data(), as: UTF8.self),
                "average_updates": "\(average?.updates ?? 0)"]
    }

    /// The epoch's checkpoints and its history line, all or nothing as far as a write error goes: every
    /// checkpoint is staged (written in full beside its place), then the history is appended, then the staged
    /// files are renamed into place. A full disk while staging or appending leaves the folder at the last epoch
    /// (`best_*`, latest and the history agree); `resume` drops a history line that no checkpoint reached.
    func saveEpoch(_ r: EpochRecord) throws {
        let model = net.stateDict()
        let s = model + momentumState()
        var trial = best   // becomes `best` once the files are in place
        // The collapse guard: for the label-free criteria, an epoch whose target predictions are mostly one
        // class loses to any epoch that is not, whatever its value (SelectionCriterion.improvements).
        let improved = SelectionCriterion.improvements(r, best: &trial)
        let meta = metadata(r, best: trial)
        var files: [(tensors: [(String, Tensor)], url: URL)] = []
        // A criterion's checkpoint is only ever evaluated, never resumed from: the model alone (about half of latest).
        for c in improved { files.append((model, directory.appendingPathComponent("\(c.checkpointName).safetensors"))) }
        if let a = average {   // the averaged model, and in latest the raw shadows that resume needs
            files.append((a.averaged(), directory.appendingPathComponent("\(SelectionCriterion.average.checkpointName).safetensors")))
            files.append((s + a.state(prefix: Trainer.averagePrefix), latestURL))
        } else {
            files.append((s, latestURL))
        }
        var staged: [(URL, URL)] = []
        do {
            for f in files { staged.append((try SafeTensors.stage(f.tensors, metadata: meta, for: f.url), f.url)) }
            try appendHistory(r)
        } catch {
            for (tmp, _) in staged { unlink(tmp.path) }
            throw error
        }
        for (tmp, url) in staged { try SafeTensors.commit(tmp, to: url) }
        best = trial
        try TensorBoardEvents.write(history, method: method.name, to: directory)
    }

    func appendHistory(_ r: EpochRecord) throws {
        let line = String(decoding: try JSONEncoder().encode(r), as: UTF8.self) + "\n"
        let url = directory.appendingPathComponent("history.jsonl")
        if let h = try? FileHandle(forWritingTo: url) { h.seekToEndOfFile(); h.write(Data(line.utf8)); try? h.close() }
        else { try line.write(to: url, atomically: true, encoding: .utf8) }
        try writeHistoryCSV()
    }

    /// history.csv: one row per epoch (the same numbers as history.jsonl, by EpochRecord's scalar names).
    func writeHistoryCSV() throws {
        let keys = EpochRecord.diagnosticKeys(history)
        guard let first = history.first else { return }
        var lines = [CSV.row(first.scalars(diagnosticKeys: keys, method: method.name).map(\.name))]
        for r in history {
            lines.append(CSV.row(r.scalars(diagnosticKeys: keys, method: method.name).map { s in
                guard let v = s.value else { return "" }
                switch s.name {
                case "epoch", "iteration": return String(Int(v))
                case "seconds": return String(format: "%.1f", v)
                default: return String(format: "%.6f", v)
                }
            }))
        }
        try lines.joined().write(to: directory.appendingPathComponent("history.csv"), atomically: true, encoding: .utf8)
    }

    /// Restores the latest checkpoint of this run's folder (model, optimizer, epoch, history).
    /// - Returns: false when there is none.
    @discardableResult
    public func resume() throws -> Bool {
        guard FileManager.default.fileExists(atPath: latestURL.path) else { return false }
        let file = try SafeTensors.read(latestURL)
        guard file.metadata["method"] == method.name else {
            throw TrainingError.badCheckpoint("\(latestURL.path) was written by method \(file.metadata["method"] ?? "?"), not \(method.name)")
        }
        if let stored = file.metadata["config"] {
            let changed = RunFolder.settingDifferences(stored: stored, current: config)
            guard changed.isEmpty else {
                throw TrainingError.badCheckpoint("cannot resume \(directory.path): the run was made with other settings ("
                    + changed.joined(separator: "; ") + "). Resume with the same settings, or train into a new folder.")
            }
        }
        try net.load(Trainer.modelTensors(file.tensors), source: latestURL.path)
        if let a = average, !a.restore(file.tensors, prefix: Trainer.averagePrefix, updates: Int(file.metadata["average_updates"] ?? "") ?? 0) {
            throw TrainingError.badCheckpoint("\(latestURL.path) holds no averaged weights although the run keeps them; train into a new folder")
        }
        let params = net.parameterGroups(backboneMultiplier: 1).flatMap(\.parameters)
        let named = Dictionary(uniqueKeysWithValues: net.namedParameters().map { (ObjectIdentifier($0.1), $0.0) })
        let buffers: [Tensor?] = params.map { p in
            file.tensors["optimizer.momentum.\(named[ObjectIdentifier(p)] ?? "")"].map { t in
                let b = Tensor(shape: p.shape, storage: Storage(repeating: 0, count: p.count), format: p.format)
                b.assign(t)
                return b
            }
        }
        optimizer.setMomentumBuffers(buffers, stepCount: Int(file.metadata["optimizer_steps"] ?? "0") ?? 0)
        completedEpochs = Int(file.metadata["epoch"] ?? "0") ?? 0
        if let b = file.metadata["best"], let d = try? JSONDecoder().decode([String: Double].self, from: Data(b.utf8)) { best = d }
        let historyURL = directory.appendingPathComponent("history.jsonl")
        if let text = try? String(contentsOf: historyURL, encoding: .utf8) {
            let lines = text.split(separator: "\n")
            history = lines.compactMap { try? JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
                .filter { $0.epoch <= completedEpochs }
            if history.count != lines.count {   // a line no checkpoint reached (a write error after it): drop it on disk too
                let kept = try history.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) + "\n" }.joined()
                try kept.write(to: historyURL, atomically: true, encoding: .utf8)
                try writeHistoryCSV()
            }
        }
        return true
    }

    /// Loads the checkpoint chosen by `criterion` (default: the run's `config.selection`) into the network.
    public func loadSelected(_ criterion: SelectionCriterion? = nil) throws {
        let chosen = criterion ?? config.selection
        let url = directory.appendingPathComponent("\(chosen.checkpointName).safetensors")
        if chosen == .average && !FileManager.default.fileExists(atPath: url.path) {
            throw TrainingError.badCheckpoint(config.weightAverageDecay == nil
                ? "\(directory.path) keeps no averaged weights: train with average=0.998 (a decay per step) to keep them"
                : "\(directory.path) has no averaged weights yet: they are written at the end of the first epoch")
        }
        try net.load(Trainer.modelTensors(try SafeTensors.read(url).tensors), source: url.path)
    }

    /// Where latest.safetensors keeps the moving average's raw shadows (for exact resumption).
    static let averagePrefix = "average."

    /// A checkpoint's model tensors: without the optimizer's momentum and the average's shadows.
    static func modelTensors(_ tensors: [String: Tensor]) -> [String: Tensor] {
        tensors.filter { !$0.key.hasPrefix("optimizer.") && !$0.key.hasPrefix(averagePrefix) }
    }
}
