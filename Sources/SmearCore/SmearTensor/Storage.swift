// Float32 buffers for tensors, recycled through a pool.
//
// On these virtual machines memory handed back to the system and faulted in again is expensive, and a
// training step allocates the same sizes every iteration. Freed buffers are therefore kept in a pool
// keyed by element count and handed out again instead of going back to malloc.
import Foundation

/// A pool of Float32 buffers keyed by exact element count. Thread-safe.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private let lock = NSLock()
    /// Elements currently held in the pool (not in use by any tensor).
    public private(set) var pooledElements = 0
    /// Elements currently handed out to live storages.
    public private(set) var liveElements = 0
    /// The largest `liveElements + pooledElements` seen: the pool's peak footprint.
    public private(set) var peakElements = 0
    /// Allocations the pool could not serve from freed buffers (fresh memory from the system).
    public private(set) var misses = 0

    func acquire(_ count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock(); defer { lock.unlock() }
        liveElements += count
        if var list = free[count], let ptr = list.popLast() {
            free[count] = list
            pooledElements -= count
            return ptr
        }
        peakElements = max(peakElements, liveElements + pooledElements)
        misses += 1
        return UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    func release(_ ptr: UnsafeMutablePointer<Float>, count: Int) {
        lock.lock(); defer { lock.unlock() }
        liveElements -= count
        pooledElements += count
        free[count, default: []].append(ptr)
    }

    /// Returns every pooled buffer to the system.
    public func trim() {
        lock.lock(); defer { lock.unlock() }
        for (_, list) in free { for p in list { p.deallocate() } }
        free = [:]
        pooledElements = 0
    }
}

/// The contiguous Float32 memory behind a tensor.
public final class Storage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage of `count` elements from the pool.
    public init(uninitialized count: Int) {
        self.count = count
        pointer = BufferPool.shared.acquire(count)
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitialized: count)
        if value == 0 { pointer.update(repeating: 0, count: count) }   // memset
        else { pointer.initialize(repeating: value, count: count) }
    }

    deinit { BufferPool.shared.release(pointer, count: count) }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
