// The safetensors container without tensors: the 8-byte little-endian header length, the JSON header
// (name → dtype, shape, data_offsets; "__metadata__" → strings) and the little-endian values, checked
// against each other before any arithmetic. Foundation only, so that a fuzzer can build it alone
// (Fuzz/SafeTensorsFuzz.swift); SafeTensors.read wraps the entries in tensors.
import Foundation

/// A checkpoint or fixture problem, with the file and what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    /// Writing failed (a full disk, a missing or read-only folder); the file it would replace is unchanged.
    case unwritable(path: String, bytes: Int, reason: String)
    case corrupt(path: String, reason: String)
    case mismatch(path: String, missing: [String], unexpected: [String], wrongShape: [String])

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read checkpoint \(p): \(r)"
        case .unwritable(let p, let n, let r):
            return "cannot write checkpoint \(p) (\(String(format: "%.1f", Double(n) / 1_000_000)) MB): \(r). The file it would replace "
                + "is unchanged; make room on the disk, or check that the folder exists and is writable, then resume the run."
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

public enum SafeTensorsFormat {
    /// One stored tensor: its values converted to Float32, and its byte offset in the data section.
    public struct Entry {
        public let name: String, shape: [Int], values: [Float], offset: Int
    }

    /// Every entry of a safetensors file's bytes and its metadata; a malformed file is a CheckpointError
    /// naming `path`, never a trap.
    public static func parse(_ data: Data, path: String) throws -> (entries: [Entry], metadata: [String: String]) {
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
        var entries: [Entry] = []
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
            // Each dimension at most 2^31 and the product of the nonzero ones without overflow, so that the
            // tensor's strides are computable even when a zero dimension makes it empty.
            var count: Int? = 1, extent: Int? = 1
            for d in shape {
                guard d >= 0, d <= Int(Int32.max) else { count = nil; break }
                count = count.flatMap { c in let r = c.multipliedReportingOverflow(by: d); return r.overflow ? nil : r.partialValue }
                extent = extent.flatMap { c in let r = c.multipliedReportingOverflow(by: max(d, 1)); return r.overflow ? nil : r.partialValue }
            }
            guard let n = count, extent != nil, n <= data.count, offsets.allSatisfy({ $0 >= 0 && $0 <= data.count }) else {
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
            entries.append(Entry(name: name, shape: shape, values: values, offset: offsets[0]))
        }
        return (entries, metadata)
    }
}
