// Errors of the language, with the place, a caret under it and a hint.

public struct LanguageError: Error, CustomStringConvertible {
    public enum Kind: Sendable { case syntax, incomplete, name, type, value, io, runtime }
    public let kind: Kind
    public let message: String
    public var location: SourceLocation?
    public var hint: String?
    /// The file or "<repl>" the code came from.
    public var source: String?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.kind = kind; self.message = message; self.location = location; self.hint = hint
    }

    public var description: String {
        var s = ""
        if let source { s += source + ":" }
        if let location { s += "\(location): " }
        s += (kind == .syntax || kind == .incomplete ? "syntax error: " : "error: ") + message
        if let hint { s += " — " + hint }
        return s
    }

    /// The message with the offending source line and a caret under the column.
    public func rendered(sourceText: String) -> String {
        guard let location else { return description }
        let lines = sourceText.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line - 1 < lines.count, location.line >= 1 else { return description }
        let text = String(lines[location.line - 1])
        return description + "\n    " + text + "\n    " + String(repeating: " ", count: max(0, location.column - 1)) + "^"
    }
}

/// Edit distance, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]; row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let old = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = old
        }
    }
    return row[b.count]
}

/// The closest of `candidates` to `name`, when close enough to be a plausible typo.
public func closestName(to name: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }.sorted { $0.1 < $1.1 }
    let limit = name.count <= 3 ? 1 : max(2, name.count / 3)
    guard let best = scored.first, best.1 <= limit else { return nil }
    return best.0
}
