// One parallel loop over independent items (images, mostly) that returns the results in order: the idiom
// of "concurrentPerform + lock + first error", written once.
import Foundation

public enum ParallelMap {
    /// `body(0) … body(n-1)` on all cores; the results in index order, or the error of the lowest failing
    /// index (so the error a user sees does not depend on thread timing). Items after a failure still run.
    public static func map<T>(_ n: Int, _ body: (Int) throws -> T) throws -> [T] {
        try results(n, body).map { try $0.get() }
    }

    /// Each item's result or error, in index order, with the items split into `workers` contiguous runs
    /// (nil: one task per item); one worker runs them in order on the calling thread.
    public static func results<T>(_ n: Int, workers: Int? = nil, _ body: (Int) throws -> T) -> [Result<T, Error>] {
        var results = [Result<T, Error>?](repeating: nil, count: n)
        let lock = NSLock()
        func run(_ i: Int) {
            let r = Result { try body(i) }
            lock.lock(); results[i] = r; lock.unlock()
        }
        switch workers {
        case 1?: for i in 0..<n { run(i) }
        case let w?:
            let chunk = (n + w - 1) / max(w, 1)
            DispatchQueue.concurrentPerform(iterations: w) { k in for i in (k * chunk)..<min(n, (k + 1) * chunk) { run(i) } }
        case nil: DispatchQueue.concurrentPerform(iterations: n) { run($0) }
        }
        return results.map { $0! }
    }
}
