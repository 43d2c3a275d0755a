// What a path names, read with stat(2) without opening it: smear opens only regular files and lists only
// folders, so a FIFO, socket or device in a data or plugin folder is skipped instead of blocking a read.
import Glibc

public enum FileKind: Equatable, Sendable {
    case regular, directory, other, missing

    /// The kind of `path`, following symbolic links (a link to an image is an image).
    public static func of(_ path: String) -> FileKind {
        var s = stat()
        guard stat(path, &s) == 0 else { return .missing }
        switch s.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}
