// The stained nucleus of the white cell at the centre of a frame, found from optical density alone, so
// that the same steps work for any lab's stain and colours (MGG purple, rapid-stain red-brown, blurred
// violet): nuclei are the most strongly stained structure of a blood smear in every Romanowsky-type stain;
// red cells and cytoplasm absorb less, the background least. Steps, each on the shorter side's scale:
//   1. optical density summed over R, G, B: −Σ ln((v + 1) / 256) (Beer–Lambert; colour-blind by design);
//   2. Gaussian blur, σ = 1% of the side (granules and chromatin texture would split the mask);
//   3. three-class Otsu (background | red cells and cytoplasm | nucleus), keep the densest class;
//   4. closing with a square of 5% of the side, then hole filling (joins a neutrophil's lobes);
//   5. the connected component nearest the frame's centre (every lab's crops centre one white cell).
import Foundation

public struct NucleusMask: Sendable {
    public let width: Int, height: Int
    /// Row-major, true inside the central nucleus.
    public let inside: [Bool]
    public var area: Int { inside.reduce(0) { $0 + ($1 ? 1 : 0) } }
    /// Diameter of the disc of the same area, as a fraction of the frame's shorter side.
    public var equivalentDiameter: Double {
        (4 * Double(area) / Double.pi).squareRoot() / Double(min(width, height))
    }

    /// The central nucleus of `image`, or nil when the frame has no stained component of at least 0.2% of it.
    /// Two passes make the result independent of how large the cell is in the frame: the first finds the
    /// nucleus on the whole frame; the second repeats the steps on a window of 3× its diameter around it, so
    /// blur, thresholds and closing all work at the cell's own scale.
    public static func find(in image: FloatImage) -> NucleusMask? {
        guard let first = segment(image) else { return nil }
        let (w, h) = (image.width, image.height)
        let diameter = first.equivalentDiameter * Double(min(w, h))
        let side = min(min(w, h), max(32, Int((3 * diameter).rounded())))
        guard side < min(w, h) else { return first }
        var (sx, sy, n) = (0, 0, 0)
        for i in 0..<(w * h) where first.inside[i] { sx += i % w; sy += i / w; n += 1 }
        let x0 = min(max(0, sx / n - side / 2), w - side), y0 = min(max(0, sy / n - side / 2), h - side)
        guard let second = segment(image.cropped(x0: x0, y0: y0, w: side, h: side)) else { return first }
        var inside = [Bool](repeating: false, count: w * h)
        for y in 0..<side { for x in 0..<side where second.inside[y * side + x] { inside[(y0 + y) * w + x0 + x] = true } }
        return NucleusMask(width: w, height: h, inside: inside)
    }

    /// One pass of the steps above over the whole of `image`.
    static func segment(_ image: FloatImage) -> NucleusMask? {
        let (w, h) = (image.width, image.height)
        guard w >= 8, h >= 8 else { return nil }
        let side = Double(min(w, h))
        var density = opticalDensity(image)
        gaussianBlur(&density, width: w, height: h, sigma: 0.01 * side)
        let dense = densestClass(density)
        let radius = max(1, Int((0.05 * side).rounded()))
        var mask = erode(dilate(dense, w, h, radius), w, h, radius)
        fillHoles(&mask, w, h)
        guard let central = centralComponent(mask, w, h, minimumArea: Int(0.002 * Double(w * h))) else { return nil }
        return NucleusMask(width: w, height: h, inside: central)
    }

    /// Summed optical density per pixel (0 for white; about 16.6 for black).
    static func opticalDensity(_ image: FloatImage) -> [Float] {
        let table = (0...255).map { Float(-log((Double($0) + 1) / 256)) }
        return (0..<(image.width * image.height)).map { i in
            var s: Float = 0
            for c in 0..<3 { s += table[Int((min(max(image.data[3 * i + c], 0), 1) * 255).rounded())] }
            return s
        }
    }

    /// Separable Gaussian blur in place (kernel to ±3σ, edges clamped).
    static func gaussianBlur(_ v: inout [Float], width w: Int, height h: Int, sigma: Double) {
        guard sigma >= 0.5 else { return }
        let r = Int((3 * sigma).rounded(.up))
        var k = (-r...r).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = k.reduce(0, +); k = k.map { $0 / total }
        var tmp = v
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for d in -r...r { s += k[d + r] * v[y * w + min(max(x + d, 0), w - 1)] }
            tmp[y * w + x] = s
        } }
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for d in -r...r { s += k[d + r] * tmp[min(max(y + d, 0), h - 1) * w + x] }
            v[y * w + x] = s
        } }
    }

    /// Pixels above the upper threshold of a three-class Otsu over a 256-bin histogram of `v`.
    static func densestClass(_ v: [Float]) -> [Bool] {
        guard let lo = v.min(), let hi = v.max(), hi > lo else { return [Bool](repeating: false, count: v.count) }
        let bin = { (x: Float) in min(255, Int((x - lo) / (hi - lo) * 256)) }
        var histogram = [Int](repeating: 0, count: 256)
        for x in v { histogram[bin(x)] += 1 }
        let upper = Otsu.thresholds(histogram, classes: 3)[1]
        return v.map { bin($0) > upper }
    }

    static func dilate(_ m: [Bool], _ w: Int, _ h: Int, _ r: Int) -> [Bool] { boxFilter(m, w, h, r, any: true) }
    static func erode(_ m: [Bool], _ w: Int, _ h: Int, _ r: Int) -> [Bool] { boxFilter(m, w, h, r, any: false) }

    /// Max (any) or min (all) over a (2r+1)² square, done as two 1-D passes with running counts;
    /// outside the frame counts as background for dilation and as foreground for erosion.
    static func boxFilter(_ m: [Bool], _ w: Int, _ h: Int, _ r: Int, any: Bool) -> [Bool] {
        func pass(_ src: [Bool], length: Int, lines: Int, index: (Int, Int) -> Int) -> [Bool] {
            var out = src
            for line in 0..<lines {
                var count = 0   // set pixels in the window, positions outside the frame included as `!any`
                let outside = any ? 0 : 1
                for p in -r...r { count += (p < 0 || p >= length) ? outside : (src[index(line, p)] ? 1 : 0) }
                for p in 0..<length {
                    out[index(line, p)] = any ? count > 0 : count == 2 * r + 1
                    let leaving = p - r, entering = p + r + 1
                    count -= (leaving < 0 || leaving >= length) ? outside : (src[index(line, leaving)] ? 1 : 0)
                    count += (entering >= length) ? outside : (src[index(line, entering)] ? 1 : 0)
                }
            }
            return out
        }
        let rows = pass(m, length: w, lines: h) { $0 * w + $1 }
        return pass(rows, length: h, lines: w) { $1 * w + $0 }
    }

    /// Sets every background pixel not connected (4-neighbours) to the frame's border.
    static func fillHoles(_ m: inout [Bool], _ w: Int, _ h: Int) {
        var outside = [Bool](repeating: false, count: w * h)
        var stack = [Int]()
        for x in 0..<w { stack.append(x); stack.append((h - 1) * w + x) }
        for y in 0..<h { stack.append(y * w); stack.append(y * w + w - 1) }
        while let p = stack.popLast() {
            guard !m[p], !outside[p] else { continue }
            outside[p] = true
            let (x, y) = (p % w, p / w)
            if x > 0 { stack.append(p - 1) }; if x < w - 1 { stack.append(p + 1) }
            if y > 0 { stack.append(p - w) }; if y < h - 1 { stack.append(p + w) }
        }
        for p in 0..<(w * h) where !outside[p] { m[p] = true }
    }

    /// The 4-connected component of at least `minimumArea` pixels whose nearest pixel is closest to the centre.
    static func centralComponent(_ m: [Bool], _ w: Int, _ h: Int, minimumArea: Int) -> [Bool]? {
        var label = [Int32](repeating: 0, count: w * h)
        var best: (label: Int32, distance: Double)? = nil
        var next: Int32 = 0
        let (cx, cy) = (Double(w - 1) / 2, Double(h - 1) / 2)
        for start in 0..<(w * h) where m[start] && label[start] == 0 {
            next += 1
            var stack = [start], size = 0, nearest = Double.infinity
            label[start] = next
            while let p = stack.popLast() {
                size += 1
                let (x, y) = (p % w, p / w)
                nearest = min(nearest, ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot())
                for q in [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]
                where q >= 0 && m[q] && label[q] == 0 { label[q] = next; stack.append(q) }
            }
            if size >= max(1, minimumArea), nearest < (best?.distance ?? .infinity) { best = (next, nearest) }
        }
        guard let best else { return nil }
        return label.map { $0 == best.label }
    }
}

/// Otsu's method: the thresholds that maximise the between-class variance of a histogram.
public enum Otsu {
    /// For `classes` = 2 or 3: the last bin of each class but the last, as indices into `histogram`.
    public static func thresholds(_ histogram: [Int], classes: Int) -> [Int] {
        precondition(classes == 2 || classes == 3, "Otsu: 2 or 3 classes")
        let n = histogram.count
        var count = [Double](repeating: 0, count: n + 1), moment = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { count[i + 1] = count[i] + Double(histogram[i]); moment[i + 1] = moment[i] + Double(i * histogram[i]) }
        /// Weight × mean² of bins a..<b (the part of the between-class variance that depends on the split).
        func term(_ a: Int, _ b: Int) -> Double {
            let c = count[b] - count[a]
            return c > 0 ? (moment[b] - moment[a]) * (moment[b] - moment[a]) / c : 0
        }
        var best = -1.0, result = [0, 0]
        if classes == 2 {
            for t in 0..<(n - 1) where term(0, t + 1) + term(t + 1, n) > best { best = term(0, t + 1) + term(t + 1, n); result = [t] }
            return Array(result.prefix(1))
        }
        for t1 in 0..<(n - 2) {
            let first = term(0, t1 + 1)
            for t2 in (t1 + 1)..<(n - 1) {
                let v = first + term(t1 + 1, t2 + 1) + term(t2 + 1, n)
                if v > best { best = v; result = [t1, t2] }
            }
        }
        return result
    }
}
