// Source text → tokens. Comments run from `#` to the end of the line.

public struct Lexer {
    let chars: [Character]
    var i = 0, line = 1, column = 1

    public init(_ source: String) { chars = Array(source) }

    mutating func advance() -> Character {
        let c = chars[i]; i += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    /// All tokens, ending with `.end`.
    public mutating func tokens() throws -> [Token] {
        var out: [Token] = []
        while let c = peek() {
            let start = SourceLocation(line: line, column: column)
            let startIndex = i
            func emit(_ k: TokenKind) { out.append(Token(kind: k, location: start, length: max(1, i - startIndex))) }
            if c == "#" { while let d = peek(), d != "\n" { _ = advance() }; continue }
            if c == "\n" { _ = advance(); emit(.newline); continue }
            if c.isWhitespace { _ = advance(); continue }
            if c.isNumber || (c == "." && (peek(1)?.isNumber ?? false)) {
                var text = ""
                while let d = peek(), d.isNumber || d == "." || d == "_" { text.append(advance()) }
                if let e = peek(), e == "e" || e == "E", let n = peek(1), n.isNumber || ((n == "-" || n == "+") && (peek(2)?.isNumber ?? false)) {
                    text.append(advance()); text.append(advance())
                    while let d = peek(), d.isNumber { text.append(advance()) }
                }
                guard let v = Double(text.filter { $0 != "_" }) else {
                    throw LanguageError(.syntax, "malformed number '\(text)'", at: start)
                }
                emit(.number(v)); continue
            }
            if c.isLetter || c == "_" {
                var text = ""
                while let d = peek(), d.isLetter || d.isNumber || d == "_" { text.append(advance()) }
                emit(languageKeywords.contains(text) ? .keyword(text) : .identifier(text)); continue
            }
            if c == "\"" || c == "'" {
                let quote = advance()
                var text = ""
                while true {
                    guard let d = peek(), d != "\n" else {
                        throw LanguageError(.syntax, "unterminated string", at: start, hint: "close it with \(quote)")
                    }
                    _ = advance()
                    if d == quote { break }
                    if d == "\\", let e = peek() {
                        _ = advance()
                        switch e { case "n": text.append("\n"); case "t": text.append("\t"); default: text.append(e) }
                    } else { text.append(d) }
                }
                emit(.string(text)); continue
            }
            let two = String(c) + (peek(1).map(String.init) ?? "")
            if ["==", "!=", "<=", ">=", "->"].contains(two) { _ = advance(); _ = advance(); emit(.symbol(two)); continue }
            if "()[]{},:.=<>+-*/%@;!".contains(c) { _ = advance(); emit(.symbol(String(c))); continue }
            throw LanguageError(.syntax, "unexpected character '\(c)'", at: start)
        }
        out.append(Token(kind: .end, location: SourceLocation(line: line, column: column), length: 1))
        return out
    }
}

extension Lexer {
    /// Whether `text` is only names joined by dots (`run`, `run.history`): something a tool may look up
    /// without running anything, unlike a call (`train(...).`), which TAB completion must never evaluate.
    public static func isNameChain(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.first, first == "_" || first.isLetter else { return false }
            return part.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
        }
    }
}
