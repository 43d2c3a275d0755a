// A run's curves as a TensorBoard event file, `events.out.tfevents.smear` in the run folder, rewritten whole
// (atomically) after every epoch from the history, so that it always equals history.jsonl:
//   step/cls_loss, step/transfer_loss   every training step (step = iterations done)
//   epoch/<name>                       every scalar of EpochRecord (history.csv's names) at the epoch's last step
// The format is TensorFlow's record file: per record, the length (UInt64, little-endian), its masked CRC-32C, the
// bytes, their masked CRC-32C; each record an `Event` protocol buffer (tensorflow/core/util/event.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
// written here by hand: three messages of fixed fields need no protobuf library.
import Foundation

public enum TensorBoardEvents {
    public static let fileName = "events.out.tfevents.smear"
    /// History columns that are TensorBoard's own step axis (the iteration) rather than curves.
    public static let stepAxis: Set<String> = ["epoch", "iteration"]

    /// Rewrites the run folder's event file from `history`.
    public static func write(_ history: [EpochRecord], method: String, to directory: URL) throws {
        try file(history, method: method).write(to: directory.appendingPathComponent(fileName), options: .atomic)
    }

    /// The whole event file for `history`.
    public static func file(_ history: [EpochRecord], method: String) -> Data {
        var out = Data()
        let start = history.first.map { ($0.finishedAt ?? 0) - $0.seconds } ?? 0
        out += record(event(wallTime: start, step: 0, fileVersion: "brain.Event:2"))
        let keys = EpochRecord.diagnosticKeys(history)
        var elapsed = 0.0
        for r in history {
            let end = r.finishedAt ?? (start + elapsed + r.seconds)
            let losses = r.stepLosses ?? []
            for (i, l) in losses.enumerated() {   // steps spread evenly over the epoch's time
                let step = r.iteration - losses.count + i + 1
                let wall = end - r.seconds * Double(losses.count - i - 1) / Double(max(losses.count, 1))
                out += record(event(wallTime: wall, step: step, values: [("step/cls_loss", l[0]), ("step/transfer_loss", l[1])]))
            }
            let values = r.scalars(diagnosticKeys: keys, method: method).filter { !stepAxis.contains($0.name) }
                .compactMap { s in s.value.map { ("epoch/\(s.name)", $0) } }
            out += record(event(wallTime: end, step: r.iteration, values: values))
            elapsed += r.seconds
        }
        return out
    }

    // MARK: records

    /// A record: length, masked CRC of the length, data, masked CRC of the data.
    static func record(_ data: Data) -> Data {
        var length = Data()
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length.append(contentsOf: $0) }
        var out = length
        withUnsafeBytes(of: maskedCRC(length).littleEndian) { out.append(contentsOf: $0) }
        out += data
        withUnsafeBytes(of: maskedCRC(data).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// TensorFlow's masked CRC-32C: rotate right by 15 bits and add a constant.
    public static func maskedCRC(_ data: Data) -> UInt32 {
        let c = crc32c(data)
        return ((c >> 15) | (c << 17)) &+ 0xa282_ead8
    }

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TensorFlow computes it.
    public static func crc32c(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xffff_ffff
    }

    static let crcTable: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82f6_3b78 : c >> 1 }
        return c
    }

    // MARK: protocol buffers

    static func event(wallTime: Double, step: Int, fileVersion: String? = nil, values: [(String, Double)] = []) -> Data {
        var e = Data()
        e += key(1, wire: 1); withUnsafeBytes(of: wallTime.bitPattern.littleEndian) { e.append(contentsOf: $0) }
        e += key(2, wire: 0) + varint(UInt64(bitPattern: Int64(step)))
        if let v = fileVersion { e += lengthDelimited(3, Data(v.utf8)) }
        if !values.isEmpty {
            var summary = Data()
            for (tag, value) in values {
                var v = lengthDelimited(1, Data(tag.utf8))
                v += key(2, wire: 5); withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { v.append(contentsOf: $0) }
                summary += lengthDelimited(1, v)
            }
            e += lengthDelimited(5, summary)
        }
        return e
    }

    static func key(_ field: UInt64, wire: UInt64) -> Data { varint(field << 3 | wire) }

    static func lengthDelimited(_ field: UInt64, _ bytes: Data) -> Data { key(field, wire: 2) + varint(UInt64(bytes.count)) + bytes }

    static func varint(_ value: UInt64) -> Data {
        var v = value, out = Data()
        repeat {
            let byte = UInt8(v & 0x7f)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }
}
