// H×W pixels, 3 channels, values in [0, 1], stored H, W, C (interleaved RGB) for the augmentations.
import Foundation

/// An RGB image as Float32 in [0, 1], row-major HWC, with the size of one pixel in original pixels.
public struct FloatImage: Sendable, Equatable {
    public var width: Int, height: Int
    public var data: [Float]
    /// Original (stored-file) pixels per pixel of this image: the DCT scale times later resizes.
    public var scale: Double

    public init(width: Int, height: Int, data: [Float], scale: Double = 1) {
        precondition(data.count == width * height * 3, "FloatImage: \(data.count) values for \(width)x\(height)x3")
        self.width = width; self.height = height; self.data = data; self.scale = scale
    }

    public init(_ rgb: RGBImage) {
        self.init(width: rgb.width, height: rgb.height, data: rgb.pixels.map { Float($0) * (1 / 255) }, scale: Double(rgb.scale))
    }

    @inline(__always) public subscript(_ x: Int, _ y: Int, _ c: Int) -> Float {
        get { data[(y * width + x) * 3 + c] }
        set { data[(y * width + x) * 3 + c] = newValue }
    }

    /// The sub-image of `w`×`h` pixels at (x0, y0).
    public func cropped(x0: Int, y0: Int, w: Int, h: Int) -> FloatImage {
        precondition(x0 >= 0 && y0 >= 0 && x0 + w <= width && y0 + h <= height, "crop outside the image")
        var out = [Float](repeating: 0, count: w * h * 3)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let s = ((y0 + y) * width + x0) * 3
                    for i in 0..<(w * 3) { dst[y * w * 3 + i] = src[s + i] }
                }
            }
        }
        return FloatImage(width: w, height: h, data: out, scale: scale)
    }

    /// Bilinear resize to `w`×`h` (pixel centres aligned, as OpenCV's INTER_LINEAR); when shrinking by
    /// more than 2× it first averages boxes of pixels so that small inputs do not alias.
    public func resized(w: Int, h: Int) -> FloatImage {
        if w == width && h == height { return self }
        var src = self
        while src.width >= 2 * w && src.height >= 2 * h { src = src.halved() }
        var out = [Float](repeating: 0, count: w * h * 3)
        let sx = Double(src.width) / Double(w), sy = Double(src.height) / Double(h)
        src.data.withUnsafeBufferPointer { s in
            for y in 0..<h {
                let fy = max(0, (Double(y) + 0.5) * sy - 0.5)
                let y0 = min(Int(fy), src.height - 1), y1 = min(y0 + 1, src.height - 1)
                let wy = Float(fy - Double(y0))
                for x in 0..<w {
                    let fx = max(0, (Double(x) + 0.5) * sx - 0.5)
                    let x0 = min(Int(fx), src.width - 1), x1 = min(x0 + 1, src.width - 1)
                    let wx = Float(fx - Double(x0))
                    for c in 0..<3 {
                        let a = s[(y0 * src.width + x0) * 3 + c], b = s[(y0 * src.width + x1) * 3 + c]
                        let d = s[(y1 * src.width + x0) * 3 + c], e = s[(y1 * src.width + x1) * 3 + c]
                        out[(y * w + x) * 3 + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy
                    }
                }
            }
        }
        return FloatImage(width: w, height: h, data: out, scale: scale * Double(width) / Double(w))
    }

    /// 2×2 box average (odd last row/column dropped).
    func halved() -> FloatImage {
        let w = width / 2, h = height / 2
        var out = [Float](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    out[(y * w + x) * 3 + c] = 0.25 * (self[2 * x, 2 * y, c] + self[2 * x + 1, 2 * y, c]
                                                       + self[2 * x, 2 * y + 1, c] + self[2 * x + 1, 2 * y + 1, c])
                }
            }
        }
        return FloatImage(width: w, height: h, data: out, scale: scale * 2)
    }
}
