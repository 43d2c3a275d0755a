// Decoding image files: JPEG with libjpeg-turbo, with DCT-domain downscaling (1/2, 1/4, 1/8); PNG, BMP and
// TIFF (ImageFormats.swift) decoded whole and then averaged down by the same factors. The format is told by
// the file's first bytes, not its name.
import CJPEG
import Foundation
import SmearTensor

/// An image file that cannot be used, with the file and what to do.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case notJPEG(path: String)
    case corrupt(path: String, reason: String)

    public var path: String {
        switch self {
        case .unreadable(let p, _), .empty(let p), .notJPEG(let p), .corrupt(let p, _): return p
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read image \(p): \(r)"
        case .empty(let p): return "image \(p) is an empty file; remove it or replace it with the original"
        case .notJPEG(let p): return "image \(p) is not an image smear reads (JPEG, PNG, BMP or TIFF); convert it or remove it"
        case .corrupt(let p, let r): return "image \(p) is corrupt or truncated (\(r)); remove it or replace it with the original"
        }
    }
}

/// Decoded pixels: packed RGB bytes, rows top to bottom.
public struct RGBImage: Sendable {
    public let width: Int, height: Int
    public var pixels: [UInt8]
    /// Original pixels per decoded pixel (the DCT scale denominator: 1, 2, 4 or 8).
    public var scale: Int

    public init(width: Int, height: Int, pixels: [UInt8], scale: Int = 1) {
        self.width = width; self.height = height; self.pixels = pixels; self.scale = scale
    }
}

public enum JPEG {
    static func read(_ url: URL) throws -> (Data, ImageFormat) {
        let data: Data
        switch FileKind.of(url.path) {
        case .regular: break
        case .missing: throw ImageError.unreadable(path: url.path, reason: "no such file")
        case .directory, .other: throw ImageError.unreadable(path: url.path, reason: "not a regular file")
        }
        do { data = try Data(contentsOf: url) } catch {
            throw ImageError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        if data.isEmpty { throw ImageError.empty(path: url.path) }
        guard let format = ImageFormat(magic: data) else { throw ImageError.notJPEG(path: url.path) }
        return (data, format)
    }

    /// Width and height from the header.
    public static func size(of url: URL) throws -> (width: Int, height: Int) {
        let (data, format) = try read(url)
        return try size(data, format, url)
    }

    /// Reads the file once and decodes it at the DCT scale that `scale` chooses from its stored width and
    /// height; returns the image and the stored size.
    public static func decode(_ url: URL, scale: (_ width: Int, _ height: Int) -> Int) throws -> (image: RGBImage, width: Int, height: Int) {
        let (data, format) = try read(url)
        if format != .jpeg && format != .png && format != .bmp {   // the size of a TIFF is known only once decoded
            let full = try ImageFormats.decode(data, format, url)
            return (full.averaged(by: scale(full.width, full.height)), full.width, full.height)
        }
        let (w, h) = try size(data, format, url)
        return (try decode(data, format, url, scaleDenominator: scale(w, h)), w, h)
    }

    static func size(_ data: Data, _ format: ImageFormat, _ url: URL) throws -> (width: Int, height: Int) {
        if format != .jpeg { return try ImageFormats.size(data, format, url) }
        var w: Int32 = 0, h: Int32 = 0
        var message = [CChar](repeating: 0, count: 200)
        let code = data.withUnsafeBytes { raw in
            smear_jpeg_size(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &w, &h, &message, message.count)
        }
        if code != Int32(SMEAR_JPEG_OK) { throw ImageError.corrupt(path: url.path, reason: String(cString: message)) }
        return (Int(w), Int(h))
    }

    /// Decodes to RGB at 1/`scaleDenominator` of the stored size (1, 2, 4 or 8), scaled in the DCT domain.
    /// A libjpeg warning (such as premature end of data) counts as corruption.
    public static func decode(_ url: URL, scaleDenominator: Int = 1) throws -> RGBImage {
        let (data, format) = try read(url)
        return try decode(data, format, url, scaleDenominator: scaleDenominator)
    }

    static func decode(_ data: Data, _ format: ImageFormat, _ url: URL, scaleDenominator: Int) throws -> RGBImage {
        precondition([1, 2, 4, 8].contains(scaleDenominator), "JPEG.decode: scale denominator must be 1, 2, 4 or 8")
        if format != .jpeg { return try ImageFormats.decode(data, format, url).averaged(by: scaleDenominator) }
        var w: Int32 = 0, h: Int32 = 0
        var message = [CChar](repeating: 0, count: 200)
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        let code = data.withUnsafeBytes { raw in
            smear_jpeg_decode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, Int32(scaleDenominator), &pixels,
                              &w, &h, &message, message.count)
        }
        defer { free(pixels) }
        guard code == Int32(SMEAR_JPEG_OK), let pixels else {
            let reason = String(cString: message)
            throw ImageError.corrupt(path: url.path, reason: reason.isEmpty ? "libjpeg code \(code)" : reason)
        }
        let count = Int(w) * Int(h) * 3
        return RGBImage(width: Int(w), height: Int(h), pixels: Array(UnsafeBufferPointer(start: pixels, count: count)),
                        scale: scaleDenominator)
    }

    /// The largest DCT scale denominator (≤ 8) at which a `side`-pixel region still has at least
    /// `minimumSide` pixels: decoding 360 px images for 64 px inputs at 1/4 costs a fraction of full size.
    public static func scaleDenominator(side: Int, minimumSide: Int) -> Int {
        var d = 8
        while d > 1 && side / d < minimumSide { d /= 2 }
        return d
    }
}
