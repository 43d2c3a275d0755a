// One parallel loop over independent items (images, mostly) that returns the results in order and
// stops at the first error: the idiom of "concurrentPerform + lock + first error", written once.
import Foundation

public enum ParallelMap {
    /// `body(0) … body(n-1)` on all cores; the results in index order, or the error of the lowest failing
    /// index (so the error a user sees does not depend on thread timing). Items after a failure still run.
    public static func map<T>(_ n: Int, _ body: (Int) throws -> T) throws -> [T] {
        var results = [Result<T, Error>?](repeating: nil, count: n)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let r = Result { try body(i) }
            lock.lock(); results[i] = r; lock.unlock()
        }
        return try results.map { try $0!.get() }
    }
}
