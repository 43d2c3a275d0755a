// A run that starts from another run's weights (the setting start_from): the network, not the ImageNet backbone alone,
// comes from the other run's latest checkpoint; its optimizer state, schedule position and weight average do not (the
// new run starts them afresh).
import Foundation
import SmearAdapt
import SmearNN

public enum StartWeights {
    /// The checkpoint a `start_from` path names: a run folder's latest.safetensors, or a .safetensors file itself.
    public static func checkpoint(_ path: String) throws -> URL {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw StartWeightsError.missing(path) }
        let url = URL(fileURLWithPath: path)
        guard isFolder.boolValue else { return url }
        let latest = url.appendingPathComponent("latest.safetensors")
        guard FileManager.default.fileExists(atPath: latest.path) else { throw StartWeightsError.noCheckpoint(path) }
        return latest
    }

    /// Loads `net`'s backbone, bottleneck and classifier from the checkpoint at `path` (every tensor by name and shape,
    /// else an error and nothing changed), and each of the method's modules whose tensors the checkpoint holds in full
    /// (a method the other run did not have starts its modules afresh). Returns the method modules it loaded.
    @discardableResult
    public static func load(into net: AdaptationNetwork, from path: String) throws -> [String] {
        let url = try checkpoint(path)
        var state = Trainer.modelTensors(try SafeTensors.read(url).tensors)
        var loaded: [String] = []
        for (name, module) in net.methodModules.sorted(by: { $0.key < $1.key }) {
            let prefix = "method.\(name)."
            let names = module.stateDict().map { prefix + $0.0 }
            if names.allSatisfy({ state[$0] != nil }) { loaded.append(name); continue }
            for n in names { state[n] = nil }
        }
        let required = net.stateDict().map(\.0).filter { !$0.hasPrefix("method.") && !$0.hasSuffix("num_batches_tracked") }
        let missing = required.filter { state[$0] == nil }
        guard missing.isEmpty else { throw StartWeightsError.otherNetwork(path: url.path, missing: missing) }
        try net.load(state, strict: false, source: url.path)   // every shape checked before anything is assigned
        return loaded
    }
}

public enum StartWeightsError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case noCheckpoint(String)
    case otherNetwork(path: String, missing: [String])

    public var description: String {
        switch self {
        case .missing(let p): return "start_from=\"\(p)\": no such run folder or file"
        case .noCheckpoint(let p): return "start_from=\"\(p)\": the folder has no latest.safetensors (a run that has finished an epoch has one)"
        case .otherNetwork(let p, let missing):
            return "start_from=\"\(p)\" is another network's: \(missing.count) of this run's tensors are not in it (\(missing.prefix(3).joined(separator: ", "))"
                + (missing.count > 3 ? ", …" : "") + "); give the same backbone, bottleneck and head settings as the run it comes from"
        }
    }
}
