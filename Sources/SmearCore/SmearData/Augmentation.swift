// The article's augmentations (algorithms.md §1.4, albumentations 1.x parameters), on FloatImage.
// Sizes are in *original* pixels (of the stored file), so a pipeline gives the same geometry whether
// the JPEG was decoded at full size or DCT-downscaled; each image carries its pixel scale.
import Foundation
import SmearTensor

/// One image transform. `p` is the probability that it is applied (albumentations' semantics).
public protocol Augmentation: Sendable {
    var name: String { get }
    func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator)
}

/// Applies `transform` with probability p (the random draw happens even when p is 1, so that adding a
/// step does not shift the random stream of the others).
public struct WithProbability: Augmentation {
    public let p: Float, transform: Augmentation
    public init(_ p: Float, _ transform: Augmentation) { self.p = p; self.transform = transform }
    public var name: String { "\(transform.name)(p=\(p))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        if rng.nextUniform() < p { transform.apply(&image, &rng) }
    }
}

/// The side in this image's pixels of a `size`-original-pixel crop, clamped to the image.
func cropSide(_ size: Int, _ image: FloatImage) -> Int {
    min(pixels(size, image), image.width, image.height)
}

/// `size` original pixels in this image's pixels.
func pixels(_ size: Int, _ image: FloatImage) -> Int { Int((Double(size) / image.scale).rounded()) }

/// Centre crop of `size`×`size` original pixels: clamped to the image, or with `padsSmallFrames` taken from the image
/// centred on a canvas of that side filled with its border's median colour (SmallFrames).
public struct CenterCrop: Augmentation {
    public let size: Int
    public let padsSmallFrames: Bool
    public init(_ size: Int, padsSmallFrames: Bool = false) { self.size = size; self.padsSmallFrames = padsSmallFrames }
    public var name: String { padsSmallFrames ? "CenterCrop(\(size), small frames padded)" : "CenterCrop(\(size))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        if padsSmallFrames { image = image.centred(onCanvasOfAtLeast: pixels(size, image)) }
        let s = cropSide(size, image)
        image = image.cropped(x0: (image.width - s) / 2, y0: (image.height - s) / 2, w: s, h: s)
    }
}

/// Random crop of `size`×`size` original pixels (clamped to the image), uniformly placed inside it.
public struct RandomCrop: Augmentation {
    public let size: Int
    public init(_ size: Int) { self.size = size }
    public var name: String { "RandomCrop(\(size))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let s = cropSide(size, image)
        let x0 = Int(rng.next() % UInt64(image.width - s + 1)), y0 = Int(rng.next() % UInt64(image.height - s + 1))
        image = image.cropped(x0: x0, y0: y0, w: s, h: s)
    }
}

/// Box blur with a random odd kernel of 3…7 original pixels (albumentations `Blur(blur_limit=(3, 7))`).
public struct Blur: Augmentation {
    public let minKernel: Int, maxKernel: Int
    public init(kernel: ClosedRange<Int> = 3...7) { minKernel = kernel.lowerBound; maxKernel = kernel.upperBound }
    public var name: String { "Blur(\(minKernel)...\(maxKernel))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let choices = stride(from: minKernel | 1, through: maxKernel, by: 2).map { $0 }
        let k = choices[Int(rng.next() % UInt64(choices.count))]
        let r = Int((Double(k) / image.scale / 2).rounded(.down))   // radius in this image's pixels
        if r > 0 { image = boxBlur(image, radius: r) }
    }
}

/// Separable box filter with reflect-101 borders.
func boxBlur(_ image: FloatImage, radius r: Int) -> FloatImage {
    let (w, h) = (image.width, image.height)
    func reflect(_ i: Int, _ n: Int) -> Int { n == 1 ? 0 : (i < 0 ? min(-i, n - 1) : (i >= n ? max(2 * n - 2 - i, 0) : i)) }
    var tmp = image, out = image
    let norm = 1 / Float(2 * r + 1)
    for y in 0..<h { for x in 0..<w { for c in 0..<3 {
        var s: Float = 0
        for d in -r...r { s += image[reflect(x + d, w), y, c] }
        tmp[x, y, c] = s * norm
    } } }
    for y in 0..<h { for x in 0..<w { for c in 0..<3 {
        var s: Float = 0
        for d in -r...r { s += tmp[x, reflect(y + d, h), c] }
        out[x, y, c] = s * norm
    } } }
    return out
}

/// A white haze whose strength is drawn in [fogLow, fogHigh] (albumentations `RandomFog(0.3, 1, 0.08)`).
/// Approximation: albumentations paints many translucent white discs of alpha `alphaCoef` around a
/// random centre and blurs them; here the haze is a smooth radial blend of strength
/// fog·alphaCoef·4 (≈ the number of overlapping discs) around a random centre, fading to a third at
/// the edges.
public struct RandomFog: Augmentation {
    public let fogLow: Float, fogHigh: Float, alphaCoef: Float
    public init(fog: ClosedRange<Float> = 0.3...1, alphaCoef: Float = 0.08) {
        fogLow = fog.lowerBound; fogHigh = fog.upperBound; self.alphaCoef = alphaCoef
    }
    public var name: String { "RandomFog(\(fogLow)...\(fogHigh), alpha \(alphaCoef))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let fog = fogLow + (fogHigh - fogLow) * rng.nextUniform()
        let cx = Float(image.width) * (0.25 + 0.5 * rng.nextUniform()), cy = Float(image.height) * (0.25 + 0.5 * rng.nextUniform())
        let radius = Float(max(image.width, image.height))
        let strength = min(1, fog * alphaCoef * 4)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot() / radius
                let a = strength * (1 - (2 / 3) * min(1, d))
                for c in 0..<3 { image[x, y, c] = image[x, y, c] * (1 - a) + a }
            }
        }
    }
}

/// Brightness, contrast and saturation jitter in random order (hue fixed), clamped to [0, 1]
/// (albumentations/torchvision `ColorJitter(0.3, 0.5, 0.5, 0)`: factors in [0.7, 1.3], [0.5, 1.5], [0.5, 1.5]).
public struct ColorJitter: Augmentation {
    public let brightness: Float, contrast: Float, saturation: Float
    public init(brightness: Float = 0.3, contrast: Float = 0.5, saturation: Float = 0.5) {
        self.brightness = brightness; self.contrast = contrast; self.saturation = saturation
    }
    public var name: String { "ColorJitter(\(brightness), \(contrast), \(saturation))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        var order = [0, 1, 2]
        rng.shuffle(&order)
        for op in order {
            switch op {
            case 0: ColorJitter.brightness(&image, 1 - brightness + 2 * brightness * rng.nextUniform())
            case 1: ColorJitter.contrast(&image, 1 - contrast + 2 * contrast * rng.nextUniform())
            default: ColorJitter.saturation(&image, 1 - saturation + 2 * saturation * rng.nextUniform())
            }
        }
    }

    /// Grey level of a pixel, ITU-R 601 weights (as OpenCV and torchvision).
    @inline(__always) static func grey(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.299 * r + 0.587 * g + 0.114 * b }

    public static func brightness(_ image: inout FloatImage, _ f: Float) {
        for i in 0..<image.data.count { image.data[i] = min(1, max(0, image.data[i] * f)) }
    }

    /// Blends with the mean grey level: (x − m)·f + m.
    public static func contrast(_ image: inout FloatImage, _ f: Float) {
        var m: Float = 0
        let n = image.width * image.height
        for i in 0..<n { m += grey(image.data[3 * i], image.data[3 * i + 1], image.data[3 * i + 2]) }
        m /= Float(max(n, 1))
        for i in 0..<image.data.count { image.data[i] = min(1, max(0, (image.data[i] - m) * f + m)) }
    }

    /// Blends each pixel with its grey level: (x − g)·f + g.
    public static func saturation(_ image: inout FloatImage, _ f: Float) {
        for i in 0..<(image.width * image.height) {
            let g = grey(image.data[3 * i], image.data[3 * i + 1], image.data[3 * i + 2])
            for c in 0..<3 { image.data[3 * i + c] = min(1, max(0, (image.data[3 * i + c] - g) * f + g)) }
        }
    }
}

/// Horizontal, vertical or both flips, chosen at random (albumentations `Flip`).
public struct Flip: Augmentation {
    public enum Axis: Sendable { case horizontal, vertical, both }
    public let fixed: Axis?
    public init(_ axis: Axis? = nil) { fixed = axis }
    public var name: String { "Flip" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let axis = fixed ?? [Axis.both, .vertical, .horizontal][Int(rng.next() % 3)]
        let src = image
        for y in 0..<image.height {
            for x in 0..<image.width {
                let sx = axis == .vertical ? x : image.width - 1 - x
                let sy = axis == .horizontal ? y : image.height - 1 - y
                for c in 0..<3 { image[x, y, c] = src[sx, sy, c] }
            }
        }
    }
}

/// One of the 8 symmetries of the square (identity, 3 quarter turns, 4 mirrors), uniformly: horizontal
/// flip, vertical flip and transpose, each with p = 0.5 (the PyTorch reference's orientation
/// augmentation; cells have no orientation). Exact: pixels are moved, never interpolated.
public struct Dihedral: Augmentation {
    /// nil: a random orientation per image (training); k in 0..<8: always orientation k (test-time
    /// augmentation), bit 0 a horizontal flip, bit 1 a vertical flip, bit 2 a transpose (k = 0: unchanged).
    public let fixed: Int?
    public init(fixed: Int? = nil) {
        precondition(fixed.map { (0..<8).contains($0) } ?? true, "Dihedral: orientation \(fixed!) is not in 0..<8")
        self.fixed = fixed
    }
    public var name: String { fixed.map { "Dihedral(\($0))" } ?? "Dihedral" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let r = fixed.map(UInt64.init) ?? rng.next()
        let (h, v, t) = (r & 1 == 1, r & 2 == 2, r & 4 == 4)
        if h { Flip(.horizontal).apply(&image, &rng) }
        if v { Flip(.vertical).apply(&image, &rng) }
        if t { image = Dihedral.transposed(image) }
    }

    /// Rows become columns: out[x, y] = in[y, x].
    public static func transposed(_ image: FloatImage) -> FloatImage {
        var out = FloatImage(width: image.height, height: image.width, data: image.data, scale: image.scale)
        for y in 0..<image.height { for x in 0..<image.width { for c in 0..<3 { out[y, x, c] = image[x, y, c] } } }
        return out
    }
}

/// Rotation by a random angle in [−limit, limit] degrees about the centre, bilinear, keeping the size,
/// with reflect-101 borders (albumentations `Rotate(180, border_mode=REFLECT_101)`).
public struct Rotate: Augmentation {
    public let limit: Double
    public init(limit: Double = 180) { self.limit = limit }
    public var name: String { "Rotate(±\(limit))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let angle = (Double(rng.nextUniform()) * 2 - 1) * limit
        image = Rotate.rotated(image, degrees: angle)
    }

    public static func rotated(_ image: FloatImage, degrees: Double) -> FloatImage {
        let (w, h) = (image.width, image.height)
        let t = degrees * .pi / 180, (cs, sn) = (cos(t), sin(t))
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        func reflect(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            let period = 2 * n - 2
            i = ((i % period) + period) % period
            return i < n ? i : period - i
        }
        var out = image
        for y in 0..<h {
            for x in 0..<w {
                // Inverse map: the source position whose rotation lands on (x, y) (counter-clockwise for positive angles).
                let dx = Double(x) - cx, dy = Double(y) - cy
                let sx = cs * dx - sn * dy + cx, sy = sn * dx + cs * dy + cy
                let x0 = Int(floor(sx)), y0 = Int(floor(sy))
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                let xa = reflect(x0, w), xb = reflect(x0 + 1, w), ya = reflect(y0, h), yb = reflect(y0 + 1, h)
                for c in 0..<3 {
                    let top = image[xa, ya, c] * (1 - fx) + image[xb, ya, c] * fx
                    let bottom = image[xa, yb, c] * (1 - fx) + image[xb, yb, c] * fx
                    out[x, y, c] = top * (1 - fy) + bottom * fy
                }
            }
        }
        return out
    }
}

/// Rescales by a random factor in [1 − limit, 1 + limit] (albumentations `RandomScale(0.2)`).
public struct RandomScale: Augmentation {
    public let limit: Double
    public init(limit: Double = 0.2) { self.limit = limit }
    public var name: String { "RandomScale(±\(limit))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let f = 1 - limit + 2 * limit * Double(rng.nextUniform())
        image = image.resized(w: max(1, Int((Double(image.width) * f).rounded())), h: max(1, Int((Double(image.height) * f).rounded())))
    }
}

/// Resize to `size`×`size` output pixels (bilinear).
public struct Resize: Augmentation {
    public let size: Int
    public init(_ size: Int) { self.size = size }
    public var name: String { "Resize(\(size))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) { image = image.resized(w: size, h: size) }
}
