// A run folder belongs to one process: an exclusive flock(2) on `<folder>/.smear-lock`, held while any Trainer of
// this process works in the folder (a REPL may open the same run twice; the lock is counted per folder). The
// file holds the holder's PID, so a second process is told who has it. The kernel drops the lock when the
// holder exits, however it exits, so a crash never leaves a folder locked.
import Foundation
import Glibc

public final class RunLock: @unchecked Sendable {
    public let directory: URL
    /// The folder's resolved path: one lock per folder however it is named.
    private let key: String

    private struct Held { var descriptor: Int32; var count: Int }
    nonisolated(unsafe) private static var held: [String: Held] = [:]
    private static let guardLock = NSLock()

    /// Takes the lock on `directory` (created if missing), or throws naming the process that holds it.
    public init(_ directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        key = directory.standardizedFileURL.resolvingSymlinksInPath().path
        Self.guardLock.lock(); defer { Self.guardLock.unlock() }
        if var h = Self.held[key] { h.count += 1; Self.held[key] = h; return }
        let path = directory.appendingPathComponent(".smear-lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw RunLockError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPID(fd)
            close(fd)
            throw RunLockError.held(directory: directory.path, pid: holder)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        Self.held[key] = Held(descriptor: fd, count: 1)
    }

    deinit {
        Self.guardLock.lock(); defer { Self.guardLock.unlock() }
        guard var h = Self.held[key] else { return }
        h.count -= 1
        if h.count > 0 { Self.held[key] = h; return }
        Self.held[key] = nil
        close(h.descriptor)   // closing the last descriptor releases the flock
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count - 1, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public enum RunLockError: Error, CustomStringConvertible {
    case held(directory: String, pid: Int32?)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let d, let pid):
            "\(d) is in use by another smear process\(pid.map { " (PID \($0))" } ?? ""); wait for it to end, or choose another folder"
        case .cannotOpen(let p, let r): "cannot lock the run folder: \(p): \(r)"
        }
    }
}
