// A run's folder: whether it holds a run, what a resume would change, and the leftovers of an interrupted
// checkpoint write. Nothing here deletes a run unless asked to by name (`clear`, for overwrite=true).
import Foundation
import SmearAdapt

public enum RunFolder {
    /// The folder a user named for a run: not empty (that would be the current folder), no NUL byte.
    public static func validated(_ path: String) throws -> URL {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else { throw RunFolderError.emptyPath }
        guard !path.contains("\u{0}") else { throw RunFolderError.nulInPath }
        return URL(fileURLWithPath: path)
    }

    /// The files that make a run: checkpoints and history.
    static func runFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { ($0.hasSuffix(".safetensors") && ($0.hasPrefix("latest") || $0.hasPrefix("best_"))) || $0.hasPrefix("history.") }
            .sorted().map { directory.appendingPathComponent($0) }
    }

    /// Whether `directory` holds a run (a checkpoint or a history).
    public static func holdsRun(_ directory: URL) -> Bool { !runFiles(in: directory).isEmpty }

    /// Removes the run's checkpoints, history, TensorBoard curves and run.json (what `overwrite=true` asks for); other
    /// files stay.
    public static func clear(_ directory: URL) throws {
        for url in runFiles(in: directory) { try FileManager.default.removeItem(at: url) }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("run.json"))
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(TensorBoardEvents.fileName))
    }

    /// Removes `.<name>.tmp-<pid>` files that a process killed while writing a checkpoint left behind
    /// (the checkpoint itself is written by rename, so it is either the old one or the new one).
    public static func removeStaleTemporaries(in directory: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
            let pid = Int32(name.split(separator: "-").last.map(String.init) ?? "") ?? 0
            if pid != ProcessInfo.processInfo.processIdentifier && (pid <= 0 || kill(pid, 0) != 0) {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }

    /// The settings that differ between a checkpoint's stored config (JSON) and `current`, as
    /// "name: stored → current"; the number of epochs may grow (that extends a run) and is not compared, nor are
    /// the settings that do not change what is trained from a checkpoint on (selection, workers, the files the
    /// backbone and the network started from).
    public static func settingDifferences(stored: String, current: TrainingConfig) -> [String] {
        guard let written = try? JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any],
              let data = try? JSONEncoder().encode(current),
              let new = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        let old = RunRecord.migratedConfig(written)
        var out: [String] = []
        for key in Set(old.keys).union(new.keys).sorted() where !["epochs", "selection", "workers", "backboneWeights", "startWeights"].contains(key) {
            let (a, b) = (old[key].map(describe) ?? "unset", new[key].map(describe) ?? "unset")
            if a != b { out.append("\(key): \(a) → \(b)") }
        }
        if let e = old["epochs"] as? Int, let n = new["epochs"] as? Int, n < e { out.append("epochs: \(e) → \(n) (a run can grow, not shrink)") }
        return out
    }

    static func describe(_ v: Any) -> String {
        guard JSONSerialization.isValidJSONObject([v]), let d = try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys]),
              let s = String(data: d, encoding: .utf8) else { return "\(v)" }
        return String(s.dropFirst().dropLast())
    }
}

public enum RunFolderError: Error, CustomStringConvertible {
    case emptyPath, nulInPath
    public var description: String {
        switch self {
        case .emptyPath: "the run folder is empty: name a folder (an empty name would put the run into the current folder)"
        case .nulInPath: "the run folder's name holds a NUL character"
        }
    }
}
