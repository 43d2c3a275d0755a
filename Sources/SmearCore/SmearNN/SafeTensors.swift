// The safetensors file format: an 8-byte little-endian header length, a JSON header mapping each
// tensor name to {dtype, shape, data_offsets} (plus an optional "__metadata__" map of strings),
// then the raw little-endian data. smear writes F32; it reads F32, F64, F16, BF16, I64, I32 and U8.
import Foundation
import SmearTensor

/// A checkpoint or fixture problem, with the file and what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case mismatch(path: String, missing: [String], unexpected: [String], wrongShape: [String])

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read checkpoint \(p): \(r)"
        case .corrupt(let p, let r): return "checkpoint \(p) is corrupt or truncated: \(r). Re-create it, or use an earlier copy."
        case .mismatch(let p, let missing, let unexpected, let wrong):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
            if !wrong.isEmpty { parts.append("wrong shape \(wrong.joined(separator: "; "))") }
            return "checkpoint \(p) does not fit the model: \(parts.joined(separator: "; ")). "
                + "Check the architecture options (width, normalisation, classes) it was saved with."
        }
    }
}

public enum SafeTensors {
    /// Writes named tensors atomically: a temporary file beside `url`, flushed, then renamed over it,
    /// so a crash never leaves a half-written checkpoint in place.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            require(header[name] == nil, "SafeTensors.write: duplicate tensor name \(name)")
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for (_, t) in tensors {
            let values = t.scalars
            values.withUnsafeBytes { file.append(contentsOf: $0) }
        }
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try file.write(to: tmp)
            let fd = open(tmp.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            if rename(tmp.path, url.path) != 0 {
                throw CheckpointError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Reads every tensor (converted to Float32) and the metadata.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) }
        catch { throw CheckpointError.unreadable(path: path, reason: (error as NSError).localizedDescription) }
        guard data.count >= 8 else { throw CheckpointError.corrupt(path: path, reason: "only \(data.count) bytes") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw CheckpointError.corrupt(path: path, reason: "header of \(headerLength) bytes but file has \(data.count)")
        }
        let body = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw CheckpointError.corrupt(path: path, reason: "header is not a JSON object")
        }
        let metadata = (header["__metadata__"] as? [String: String]) ?? [:]
        var tensors: [String: Tensor] = [:]
        var entries: [(String, Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw CheckpointError.corrupt(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets") }
            let width: Int
            switch dtype {
            case "U8": width = 1
            case "F32", "I32": width = 4
            case "F64", "I64": width = 8
            case "F16", "BF16": width = 2
            default: throw CheckpointError.corrupt(path: path, reason: "tensor \(name) has unsupported dtype \(dtype)")
            }
            // Every size is checked before any arithmetic, so a hostile header is an error, never an overflow trap.
            var count: Int? = 1
            for d in shape { count = count.flatMap { c in d < 0 ? nil : { let r = c.multipliedReportingOverflow(by: d); return r.overflow ? nil : r.partialValue }() } }
            guard let n = count, n <= data.count, offsets.allSatisfy({ $0 >= 0 && $0 <= data.count }) else {
                throw CheckpointError.corrupt(path: path, reason: "tensor \(name): shape \(shape) or offsets \(offsets) do not fit in the file")
            }
            let (start, end) = (body + offsets[0], body + offsets[1])
            guard end - start == n * width else {
                throw CheckpointError.corrupt(path: path, reason: "tensor \(name): offsets \(offsets) do not hold \(shape) of \(dtype)")
            }
            guard end <= data.count else {
                throw CheckpointError.corrupt(path: path, reason: "tensor \(name) ends at byte \(end) but the file has \(data.count)")
            }
            let values: [Float] = data.subdata(in: start..<end).withUnsafeBytes { raw in
                (0..<n).map { i in
                    switch dtype {
                    case "F32": return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case "F64": return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    case "I64": return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    case "I32": return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case "U8": return Float(raw[i])
                    case "BF16":
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        return Float(bitPattern: UInt32(bits) << 16)
                    default:
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        return Float(Float16(bitPattern: bits))
                    }
                }
            }
            tensors[name] = Tensor(values, shape: shape)
            entries.append((name, offsets[0]))
        }
        return (tensors, entries.sorted { $0.1 < $1.1 }.map(\.0), metadata)
    }
}

extension Module {
    /// Saves parameters and buffers (PyTorch `state_dict` names) as safetensors, atomically.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads a state dict. Every name and shape must match unless `strict` is false, in which case only
    /// the tensors present in both are loaded (shapes must still match). Nothing is changed on error.
    public func load(_ state: [String: Tensor], strict: Bool = true, source: String = "state dict") throws {
        let mine = stateDict()
        let names = Set(mine.map(\.0))
        var missing = mine.map(\.0).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !names.contains($0) }.sorted()
        var wrong: [String] = []
        for (name, t) in mine {
            if let s = state[name], s.shape != t.shape { wrong.append("\(name): file \(s.shape), model \(t.shape)") }
        }
        if !strict { missing = [] }
        if !missing.isEmpty || (strict && !unexpected.isEmpty) || !wrong.isEmpty {
            throw CheckpointError.mismatch(path: source, missing: missing, unexpected: strict ? unexpected : [],
                                           wrongShape: wrong)
        }
        for (name, t) in mine {
            guard let s = state[name] else { continue }
            t.assign(s)
        }
    }

    /// Loads a safetensors checkpoint (e.g. torchvision's ResNet-18 state_dict saved with safetensors).
    public func load(from url: URL, strict: Bool = true) throws {
        try load(try SafeTensors.read(url).tensors, strict: strict, source: url.path)
    }
}
