// Readable printing of tensors: values for small ones, a summary for large ones.
import Foundation

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = scalars
        func fmt(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            if v == v.rounded() && Swift.abs(v) < 1e6 { return String(format: "%.0f.", v) }
            return Swift.abs(v) >= 1e4 || Swift.abs(v) < 1e-3 ? String(format: "%.4e", v) : String(format: "%.4f", v)
        }
        var suffix = "shape=\(shape)"
        if requiresGrad { suffix += ", requiresGrad" }
        if format == .channelsLast { suffix += ", channelsLast" }
        if count > 1000 {
            var lo = Float.infinity, hi = -Float.infinity, s: Double = 0
            for v in values { lo = Swift.min(lo, v); hi = Swift.max(hi, v); s += Double(v) }
            return "tensor(\(suffix), min=\(fmt(lo)), max=\(fmt(hi)), mean=\(fmt(Float(s / Double(count)))))"
        }
        if shape.isEmpty { return "tensor(\(fmt(values[0])))" }
        func render(_ dim: Int, _ offset: Int, _ indent: String) -> String {
            let stride = shape[(dim + 1)...].reduce(1, *)
            if dim == rank - 1 {
                return "[" + (0..<shape[dim]).map { fmt(values[offset + $0]) }.joined(separator: ", ") + "]"
            }
            let sep = ",\n" + String(repeating: "\n", count: rank - dim - 2) + indent + " "
            return "[" + (0..<shape[dim]).map { render(dim + 1, offset + $0 * stride, indent + " ") }.joined(separator: sep) + "]"
        }
        return "tensor(" + render(0, 0, "       ") + ", \(suffix))"
    }
}
