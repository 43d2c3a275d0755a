// PNG and TIFF through libpng and libtiff (CImageFormats), and BMP read here: uncompressed Windows bitmaps
// (BITMAPINFOHEADER and its V4/V5 successors; 8-bit palette, 24- and 32-bit; bottom-up or top-down rows),
// which is what microscope software writes. Alpha is composited onto white, as for PNG.
import CImageFormats
import Foundation

public enum ImageFormat: Sendable, Equatable {
    case jpeg, png, bmp, tiff

    /// The format from the file's first bytes (nil when none of these).
    init?(magic d: Data) {
        let b = [UInt8](d.prefix(8))
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8 { self = .jpeg }
        else if b.count >= 8, b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { self = .png }
        else if b.count >= 2, b[0] == 0x42, b[1] == 0x4D { self = .bmp }
        else if b.count >= 4, (b[0...3] == [0x49, 0x49, 0x2A, 0x00] || b[0...3] == [0x4D, 0x4D, 0x00, 0x2A]) { self = .tiff }
        else { return nil }
    }
}

enum ImageFormats {
    static func decode(_ data: Data, _ format: ImageFormat, _ url: URL) throws -> RGBImage {
        switch format {
        case .png, .tiff:
            var w: Int32 = 0, h: Int32 = 0
            var message = [CChar](repeating: 0, count: 300)
            var pixels: UnsafeMutablePointer<UInt8>? = nil
            let code = format == .png
                ? data.withUnsafeBytes { smear_png_decode($0.bindMemory(to: UInt8.self).baseAddress, $0.count, &pixels, &w, &h, &message, message.count) }
                : smear_tiff_decode(url.path, &pixels, &w, &h, &message, message.count)
            defer { free(pixels) }
            guard code == Int32(SMEAR_IMAGE_OK), let pixels else {
                let reason = String(cString: message)
                throw ImageError.corrupt(path: url.path, reason: reason.isEmpty ? "\(format) decoder code \(code)" : reason)
            }
            return RGBImage(width: Int(w), height: Int(h), pixels: Array(UnsafeBufferPointer(start: pixels, count: Int(w) * Int(h) * 3)))
        case .bmp:
            return try decodeBMP(data, url)
        case .jpeg:
            return try JPEG.decode(data, .jpeg, url, scaleDenominator: 1)
        }
    }

    static func size(_ data: Data, _ format: ImageFormat, _ url: URL) throws -> (width: Int, height: Int) {
        let b = [UInt8](data.prefix(30))
        func be32(_ i: Int) -> Int { b.count >= i + 4 ? Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) : 0 }
        switch format {
        case .png where b.count >= 24: return (be32(16), be32(20))
        case .bmp:
            let header = try bmpHeader(data, url)
            return (header.width, header.height)
        default:
            let image = try decode(data, format, url)
            return (image.width, image.height)
        }
    }

    struct BMPHeader { var offset: Int, width: Int, height: Int, topDown: Bool, bits: Int, compression: Int, headerSize: Int }

    static func bmpHeader(_ data: Data, _ url: URL) throws -> BMPHeader {
        let b = [UInt8](data)
        func le(_ i: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[i + $1]) << (8 * $1) } }
        guard b.count >= 54 else { throw ImageError.corrupt(path: url.path, reason: "BMP header truncated") }
        let headerSize = le(14, 4)
        guard headerSize >= 40 else { throw ImageError.corrupt(path: url.path, reason: "BMP with a \(headerSize)-byte header (OS/2 bitmaps) is not supported") }
        var height = Int(Int32(truncatingIfNeeded: UInt32(le(22, 4))))
        let topDown = height < 0
        height = abs(height)
        let header = BMPHeader(offset: le(10, 4), width: le(18, 4), height: height, topDown: topDown, bits: le(28, 2),
                               compression: le(30, 4), headerSize: headerSize)
        guard header.width > 0, header.height > 0, header.width * header.height <= 1 << 28 else {
            throw ImageError.corrupt(path: url.path, reason: "BMP of \(header.width)x\(header.height) pixels")
        }
        return header
    }

    static func decodeBMP(_ data: Data, _ url: URL) throws -> RGBImage {
        let h = try bmpHeader(data, url)
        let b = [UInt8](data)
        guard [8, 24, 32].contains(h.bits), h.compression == 0 || (h.compression == 3 && h.bits == 32) else {
            throw ImageError.corrupt(path: url.path, reason: "BMP with \(h.bits) bits per pixel and compression \(h.compression) is not supported (8, 24 or 32 bits, uncompressed)")
        }
        let rowBytes = ((h.bits * h.width + 31) / 32) * 4
        guard h.offset >= 0, h.offset + rowBytes * h.height <= b.count else { throw ImageError.corrupt(path: url.path, reason: "BMP pixel data truncated") }
        var palette: [[UInt8]] = []
        if h.bits == 8 {
            let start = 14 + h.headerSize
            let count = max(0, min(256, (min(h.offset, b.count) - start) / 4))
            palette = (0..<count).map { i in [b[start + 4 * i + 2], b[start + 4 * i + 1], b[start + 4 * i]] }
        }
        var out = [UInt8](repeating: 0, count: h.width * h.height * 3)
        for row in 0..<h.height {
            let src = h.offset + (h.topDown ? row : h.height - 1 - row) * rowBytes
            for x in 0..<h.width {
                let o = (row * h.width + x) * 3
                switch h.bits {
                case 8:
                    let index = Int(b[src + x])
                    guard index < palette.count else { throw ImageError.corrupt(path: url.path, reason: "BMP palette index \(index) out of range") }
                    out[o] = palette[index][0]; out[o + 1] = palette[index][1]; out[o + 2] = palette[index][2]
                case 24:
                    out[o] = b[src + 3 * x + 2]; out[o + 1] = b[src + 3 * x + 1]; out[o + 2] = b[src + 3 * x]
                default:   // 32 bits: B G R X, the fourth byte ignored (as Pillow does for BI_RGB)
                    out[o] = b[src + 4 * x + 2]; out[o + 1] = b[src + 4 * x + 1]; out[o + 2] = b[src + 4 * x]
                }
            }
        }
        return RGBImage(width: h.width, height: h.height, pixels: out)
    }
}

extension RGBImage {
    /// The image averaged over `factor`×`factor` blocks (rounded), edges that do not fill a block dropped;
    /// `scale` is multiplied by the factor. factor 1 returns the image unchanged.
    func averaged(by factor: Int) -> RGBImage {
        guard factor > 1, width >= factor, height >= factor else { return self }
        let (w, h) = (width / factor, height / factor)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        let n = factor * factor
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            var s = 0
            for dy in 0..<factor { for dx in 0..<factor { s += Int(pixels[((y * factor + dy) * width + x * factor + dx) * 3 + c]) } }
            out[(y * w + x) * 3 + c] = UInt8((s + n / 2) / n)
        } } }
        return RGBImage(width: w, height: h, pixels: out, scale: scale * factor)
    }
}
