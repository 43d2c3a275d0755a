// The shape rules of the ops, in one place and as throwing functions: the ops call them (a bad shape
// there is a bug of the calling code, and stops with the rule's message), and a host that takes shapes
// from users (the language) calls the same functions to turn a bad shape into an error message.
import Foundation

/// A shape an op cannot take; `description` says which op and why.
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum ShapeRules {
    /// The broadcast shape of `a` and `b` (NumPy rules: trailing dimensions equal or 1).
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let r = max(a.count, b.count)
        let pa = Array(repeating: 1, count: r - a.count) + a, pb = Array(repeating: 1, count: r - b.count) + b
        return try (0..<r).map { i in
            guard pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else {
                throw ShapeError("\(op): shapes \(a) and \(b) cannot be broadcast together")
            }
            return max(pa[i], pb[i])
        }
    }

    /// `newShape` for `count` elements of `shape`, its one -1 entry (if any) worked out.
    public static func reshape(_ shape: [Int], count: Int, to newShape: [Int], op: String = "reshape") throws -> [Int] {
        var resolved = newShape
        guard newShape.filter({ $0 == -1 }).count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw ShapeError("\(op): \(newShape) may hold one -1 and otherwise sizes of 0 or more")
        }
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0 && count % known == 0 else { throw ShapeError("\(op): cannot reshape \(shape) to \(newShape)") }
            resolved[i] = count / known
        }
        guard resolved.reduce(1, *) == count else { throw ShapeError("\(op): cannot reshape \(shape) (\(count) elements) to \(newShape)") }
        return resolved
    }

    /// The product's shape: [..., M, K] @ [..., K, N] → [..., M, N], equal batch dimensions.
    public static func matmul(_ a: [Int], _ b: [Int], op: String = "matmul") throws -> [Int] {
        guard a.count >= 2 && b.count >= 2 && a.count == b.count else {
            throw ShapeError("\(op): shapes \(a) and \(b) must both be [..., M, K] and [..., K, N]")
        }
        guard Array(a.dropLast(2)) == Array(b.dropLast(2)) && a[a.count - 1] == b[b.count - 2] else {
            throw ShapeError("\(op): shapes \(a) and \(b) do not match (need [..., M, K] @ [..., K, N])")
        }
        return Array(a.dropLast()) + [b[b.count - 1]]
    }

    /// `axis` of a tensor of rank `rank` counted from 0 (negative axes count from the end).
    public static func axis(_ axis: Int, rank: Int, op: String) throws -> Int {
        guard axis >= -rank && axis < rank else { throw ShapeError("\(op): axis \(axis) is out of range for rank \(rank)") }
        return axis < 0 ? axis + rank : axis
    }
}

/// Applies a shape rule inside an op, where a bad shape is the calling code's bug: stops with the rule's message.
@inline(__always)
func shapeRule<T>(_ rule: () throws -> T, file: StaticString = #fileID, line: UInt = #line) -> T {
    do { return try rule() } catch { fatalError("\(error)", file: file, line: line) }
}
