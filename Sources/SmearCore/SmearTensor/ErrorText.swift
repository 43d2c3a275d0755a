// One line a person can act on for any error that reaches the user: smear's own errors describe themselves;
// Foundation's file errors (an NSError dump by default) become "PATH: reason"; decoding errors say where.
import Foundation

public enum ErrorText {
    public static func oneLine(_ error: Error) -> String {
        if let e = error as? DecodingError { return decoding(e) }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else {
            return "\(error)".replacingOccurrences(of: "\n", with: " ")
        }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { $0 + ": " } ?? "") + reason(ns)
    }

    /// The POSIX reason when Foundation kept one, else a phrase for the Cocoa code.
    public static func reason(_ ns: NSError) -> String {
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteVolumeReadOnly: return "the volume is read-only"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteFileExists: return "a file is already there"
        case .fileWriteUnknown: return "cannot be written (a part of the path is a file, or a folder on it is not writable)"
        case .fileReadUnknown: return "cannot be read (a part of the path is a file, or it is not readable)"
        case .fileReadCorruptFile: return "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not in the expected encoding (UTF-8)"
        default: return ns.localizedDescription.replacingOccurrences(of: "\n", with: " ")
        }
    }

    public static func decoding(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the top level" : String(p.drop { $0 == "." })
        }
        switch e {
        case .dataCorrupted(let c): return "not valid JSON at \(path(c))"
        case .keyNotFound(let key, let c): return (c.codingPath.isEmpty ? "" : path(c) + ".") + "\(key.stringValue) is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)) has the wrong type or no value"
        @unknown default: return "\(e)"
        }
    }
}
