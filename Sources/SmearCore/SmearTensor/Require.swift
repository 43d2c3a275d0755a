// Checks that survive every optimisation level. Swift's `precondition` is compiled out under
// -Ounchecked, which the core uses for speed; a wrong shape must still stop with a message naming the
// op and both shapes rather than read out of bounds.
import Foundation

/// Stops with `message` when `condition` is false, in every build configuration.
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
