// The tokens of the smear command language and their source positions.

/// A position in the source: 1-based line and column.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var line: Int, column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

public enum TokenKind: Sendable, Equatable {
    case number(Double)
    case string(String)
    case identifier(String)
    case keyword(String)      // fn if else for in return true false nil and or not while
    case symbol(String)       // ( ) [ ] { } , : . = == != < <= > >= + - * / % @ ;
    case newline
    case end
}

public struct Token: Sendable, Equatable {
    public let kind: TokenKind
    public let location: SourceLocation
    public let length: Int
}

public let languageKeywords: Set<String> = ["fn", "if", "else", "for", "in", "return", "true", "false", "nil", "and", "or", "not", "while"]
