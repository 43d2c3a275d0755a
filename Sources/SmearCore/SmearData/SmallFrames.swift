// Frames smaller than their centre crop (small_frames, docs/algorithms.md §1.4). A lab's centre crop is sized to match
// its cells to the source's scale; a frame narrower than that crop is either clamped (the crop is the whole frame, so its
// cell is shown larger than the matched scale) or padded: centred on a canvas of the crop's side filled with the
// median colour of the frame's outermost ring of pixels (the glass and plasma at its edge), so its cell keeps the matched
// scale (clamping does not, for a lab whose images are tight boxes around each cell). The canvas is at most
// `maximumEnlargement` times the frame's longer side, so a mistaken crop cannot ask for an unbounded image; beyond it
// the crop clamps to the canvas.
import Foundation

/// What a centre crop does with a frame smaller than it.
public enum SmallFrames: String, Sendable, Codable, CaseIterable {
    case clamp, pad
}

extension SmallFrames {
    /// The largest canvas side, as a multiple of the frame's longer side.
    public static let maximumEnlargement = 4
}

extension FloatImage {
    /// The image centred on a canvas at least `side`×`side` (each dimension the larger of its own and `side`, `side`
    /// capped at SmallFrames.maximumEnlargement times the image's longer side), the canvas filled with the per-channel
    /// median of the image's outermost ring of pixels. An image already that large is returned unchanged.
    public func centred(onCanvasOfAtLeast requested: Int) -> FloatImage {
        let side = Swift.min(requested, SmallFrames.maximumEnlargement * Swift.max(width, height))
        let (w, h) = (Swift.max(width, side), Swift.max(height, side))
        if w == width && h == height { return self }
        let fill = borderMedian()
        var out = [Float](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) { for c in 0..<3 { out[i * 3 + c] = fill[c] } }
        let (x0, y0) = ((w - width) / 2, (h - height) / 2)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let s = y * width * 3, d = ((y0 + y) * w + x0) * 3
                    for i in 0..<(width * 3) { dst[d + i] = src[s + i] }
                }
            }
        }
        return FloatImage(width: w, height: h, data: out, scale: scale)
    }

    /// Per channel, the median of the pixels on the image's outermost rows and columns (the lower middle for an even count).
    public func borderMedian() -> [Float] {
        var ring: [(Int, Int)] = []
        for x in 0..<width { ring.append((x, 0)); if height > 1 { ring.append((x, height - 1)) } }
        if height > 2 { for y in 1..<(height - 1) { ring.append((0, y)); if width > 1 { ring.append((width - 1, y)) } } }
        return (0..<3).map { c in
            let values = ring.map { self[$0.0, $0.1, c] }.sorted()
            return values[(values.count - 1) / 2]
        }
    }
}
