// The safetensors file format: an 8-byte little-endian header length, a JSON header mapping each
// tensor name to {dtype, shape, data_offsets} (plus an optional "__metadata__" map of strings),
// then the raw little-endian data. smear writes F32; it reads F32, F64, F16, BF16, I64, I32 and U8.
import Foundation
import Glibc   // write(2) by name: the enum has a write of its own
import SmearTensor


public enum SafeTensors {
    /// Writes named tensors atomically: a temporary file beside `url`, flushed, then renamed over it,
    /// so a crash never leaves a half-written checkpoint in place.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try commit(try stage(tensors, metadata: metadata, for: url), to: url)
    }

    /// Writes the file that `url` will be to a temporary beside it (flushed to the disk) and returns the
    /// temporary; `commit` renames it into place. Several files staged first and committed together change a
    /// folder only once every one of them has been written (a full disk leaves the folder as it was).
    public static func stage(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], for url: URL) throws -> URL {
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
        if let reason = writeDurably(file, to: tmp.path) {
            unlink(tmp.path)
            throw CheckpointError.unwritable(path: url.path, bytes: file.count, reason: reason)
        }
        return tmp
    }

    /// Puts a staged file in place (a rename: atomic, and needs no space).
    public static func commit(_ staged: URL, to url: URL) throws {
        guard rename(staged.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staged.path)
            throw CheckpointError.unwritable(path: url.path, bytes: 0, reason: reason)
        }
    }

    /// Writes `data` to a new file at `path` and flushes it to the disk; returns the system's reason on failure
    /// ("No space left on device"), nil on success.
    static func writeDurably(_ data: Data, to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                done += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        return failure == 0 ? nil : String(cString: strerror(failure))
    }

    /// Reads every tensor (converted to Float32) and the metadata.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) }
        catch { throw CheckpointError.unreadable(path: url.path, reason: (error as NSError).localizedDescription) }
        let parsed = try SafeTensorsFormat.parse(data, path: url.path)
        var tensors: [String: Tensor] = [:]
        for e in parsed.entries { tensors[e.name] = Tensor(e.values, shape: e.shape) }
        return (tensors, parsed.entries.sorted { $0.offset < $1.offset }.map(\.name), parsed.metadata)
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
