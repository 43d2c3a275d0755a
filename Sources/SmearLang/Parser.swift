// Tokens → statements (recursive descent). Reaching the end inside an open block or bracket is an
// `.incomplete` error, which tells the REPL to read another line.

public struct Parser {
    var tokens: [Token]
    var p = 0
    /// Open parentheses/brackets/braces of expressions: newlines inside them are ignored.
    var nesting = 0
    /// How deep the recursive descent is (expressions, unary operators, blocks), bounded by `maxDepth`
    /// so that deeply nested input is a syntax error instead of a stack overflow.
    var depth = 0
    static let maxDepth = 200

    public init(_ source: String) throws {
        var lexer = Lexer(source)
        tokens = try lexer.tokens()
    }

    public static func parse(_ source: String) throws -> [Stmt] {
        var parser = try Parser(source)
        return try parser.program()
    }

    var current: Token { tokens[p] }
    var kind: TokenKind { current.kind }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        if nesting > 0 { while case .newline = tokens[p].kind { p += 1 } }
        return t
    }

    func isSymbol(_ s: String) -> Bool { if case .symbol(s) = kind { return true }; return false }
    func isKeyword(_ s: String) -> Bool { if case .keyword(s) = kind { return true }; return false }

    func describe(_ k: TokenKind) -> String {
        switch k {
        case .number(let v): return "number \(v)"
        case .string(let s): return "string \"\(s)\""
        case .identifier(let s): return "'\(s)'"
        case .keyword(let s): return "'\(s)'"
        case .symbol(let s): return "'\(s)'"
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }

    func error(_ message: String, hint: String? = nil) -> LanguageError {
        if case .end = kind { return LanguageError(.incomplete, "unexpected end of input: " + message, at: current.location, hint: hint) }
        return LanguageError(.syntax, message + ", found " + describe(kind), at: current.location, hint: hint)
    }

    mutating func expectSymbol(_ s: String, _ context: String) throws {
        guard isSymbol(s) else { throw error("expected '\(s)' \(context)") }
        _ = advance()
    }

    mutating func skipSeparators() {
        while true {
            if case .newline = kind { _ = advance(); continue }
            if isSymbol(";") { _ = advance(); continue }
            break
        }
    }

    public mutating func program() throws -> [Stmt] {
        var out: [Stmt] = []
        skipSeparators()
        while true {
            if case .end = kind { break }
            out.append(try statement())
            try endOfStatement()
        }
        return out
    }

    mutating func endOfStatement() throws {
        switch kind {
        case .newline, .end: skipSeparators()
        case .symbol(";"): skipSeparators()
        case .symbol("}"): return
        default: throw error("expected the end of the statement", hint: "put one statement per line or separate them with ';'")
        }
    }

    mutating func block(_ context: String) throws -> [Stmt] {
        try descend(); defer { depth -= 1 }
        let saved = nesting
        nesting = 0
        defer { nesting = saved }
        guard isSymbol("{") else { throw error("expected '{' \(context)") }
        _ = advance()
        skipSeparators()
        var body: [Stmt] = []
        while !isSymbol("}") {
            if case .end = kind { throw error("'{' \(context) is not closed", hint: "add '}'") }
            body.append(try statement())
            try endOfStatement()
        }
        _ = advance()
        return body
    }

    mutating func statement() throws -> Stmt {
        let loc = current.location
        if isKeyword("fn"), case .identifier(let name) = tokens[min(p + 1, tokens.count - 1)].kind {
            _ = advance(); _ = advance()
            let params = try parameters()
            return .function(name, params, try block("after fn \(name)(...)"), loc)
        }
        if isKeyword("if") { return try ifStatement() }
        if isKeyword("for") {
            _ = advance()
            guard case .identifier(let v) = kind else { throw error("expected a loop variable after 'for'") }
            _ = advance()
            guard isKeyword("in") else { throw error("expected 'in' after 'for \(v)'") }
            _ = advance()
            let seq = try expression()
            return .forIn(v, seq, try block("after for ... in ..."), loc)
        }
        if isKeyword("while") {
            _ = advance()
            let cond = try expression()
            return .whileLoop(cond, try block("after while ..."), loc)
        }
        if isKeyword("return") {
            _ = advance()
            switch kind {
            case .newline, .end, .symbol("}"), .symbol(";"): return .returnValue(nil, loc)
            default: return .returnValue(try expression(), loc)
            }
        }
        let e = try expression()
        if isSymbol("=") {
            switch e {
            case .name, .attribute, .index: break
            default: throw LanguageError(.syntax, "cannot assign to this expression", at: e.location,
                                         hint: "assign to a name, an attribute (a.b = ...) or an element (a[i] = ...)")
            }
            _ = advance()
            return .assign(e, try expression(), loc)
        }
        return .expression(e)
    }

    mutating func ifStatement() throws -> Stmt {
        let loc = current.location
        _ = advance()
        let cond = try expression()
        let then = try block("after if ...")
        // `else` may follow on the next line.
        var q = p
        while case .newline = tokens[q].kind { q += 1 }
        if case .keyword("else") = tokens[q].kind {
            p = q; _ = advance()
            if isKeyword("if") { return .ifElse(cond, then, [try ifStatement()], loc) }
            return .ifElse(cond, then, try block("after else"), loc)
        }
        return .ifElse(cond, then, nil, loc)
    }

    mutating func parameters() throws -> [String] {
        try expectSymbol("(", "to start the parameter list")
        nesting += 1
        var names: [String] = []
        while !isSymbol(")") {
            guard case .identifier(let n) = kind else { nesting -= 1; throw error("expected a parameter name") }
            names.append(n); _ = advance()
            if isSymbol(",") { _ = advance() } else if !isSymbol(")") { nesting -= 1; throw error("expected ',' or ')' in the parameter list") }
        }
        nesting -= 1
        _ = advance()
        return names
    }

    // MARK: expressions, lowest precedence first

    public mutating func expression() throws -> Expr {
        try descend(); defer { depth -= 1 }
        return try orExpr()
    }

    /// One level deeper; an error past `maxDepth`.
    mutating func descend() throws {
        depth += 1
        if depth > Parser.maxDepth {
            depth -= 1
            throw error("nested more than \(Parser.maxDepth) levels deep", hint: "split the expression or block into named parts")
        }
    }

    /// One more link of a left-associative chain (`a + b + c`, `f()()`, `a.b.c`): each makes the tree one level
    /// deeper, so a chain counts against `maxDepth` like nesting does, and the interpreter, which walks the
    /// tree recursively, never meets a tree deeper than that.
    mutating func link(_ links: inout Int) throws {
        try descend()
        links += 1
    }

    mutating func orExpr() throws -> Expr {
        var e = try andExpr(), links = 0
        defer { depth -= links }
        while isKeyword("or") { try link(&links); let l = current.location; _ = advance(); e = .binary("or", e, try andExpr(), l) }
        return e
    }

    mutating func andExpr() throws -> Expr {
        var e = try notExpr(), links = 0
        defer { depth -= links }
        while isKeyword("and") { try link(&links); let l = current.location; _ = advance(); e = .binary("and", e, try notExpr(), l) }
        return e
    }

    mutating func notExpr() throws -> Expr {
        if isKeyword("not") || isSymbol("!") {
            try descend(); defer { depth -= 1 }
            let l = current.location; _ = advance(); return .unary("not", try notExpr(), l)
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let e = try additive()
        for op in ["==", "!=", "<", "<=", ">", ">="] where isSymbol(op) {
            let l = current.location; _ = advance()
            return .binary(op, e, try additive(), l)
        }
        return e
    }

    mutating func additive() throws -> Expr {
        var e = try term(), links = 0
        defer { depth -= links }
        while isSymbol("+") || isSymbol("-") {
            guard case .symbol(let op) = kind else { break }
            try link(&links)
            let l = current.location; _ = advance(); e = .binary(op, e, try term(), l)
        }
        return e
    }

    mutating func term() throws -> Expr {
        var e = try unary(), links = 0
        defer { depth -= links }
        while isSymbol("*") || isSymbol("/") || isSymbol("%") || isSymbol("@") {
            guard case .symbol(let op) = kind else { break }
            try link(&links)
            let l = current.location; _ = advance(); e = .binary(op, e, try unary(), l)
        }
        return e
    }

    mutating func unary() throws -> Expr {
        if isSymbol("-") {
            try descend(); defer { depth -= 1 }
            let l = current.location; _ = advance(); return .unary("-", try unary(), l)
        }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        var e = try primary(), links = 0
        defer { depth -= links }
        while true {
            if isSymbol("(") || isSymbol(".") || isSymbol("[") { try link(&links) }
            if isSymbol("(") {
                let l = current.location
                nesting += 1; _ = advance()
                var args: [Expr] = [], keywords: [(String, Expr)] = []
                while !isSymbol(")") {
                    if case .identifier(let n) = kind, case .symbol("=") = tokens[p + 1].kind {
                        _ = advance(); _ = advance()
                        keywords.append((n, try expression()))
                    } else {
                        if !keywords.isEmpty { nesting -= 1; throw error("positional argument after keyword arguments") }
                        args.append(try expression())
                    }
                    if isSymbol(",") { _ = advance() } else if !isSymbol(")") { nesting -= 1; throw error("expected ',' or ')' in the argument list") }
                }
                nesting -= 1; _ = advance()
                e = .call(e, args, keywords, l)
            } else if isSymbol(".") {
                let l = current.location; _ = advance()
                guard case .identifier(let n) = kind else { throw error("expected an attribute name after '.'") }
                _ = advance()
                e = .attribute(e, n, l)
            } else if isSymbol("[") {
                let l = current.location
                nesting += 1; _ = advance()
                let i = try expression()
                nesting -= 1
                try expectSymbol("]", "after the index")
                e = .index(e, i, l)
            } else { return e }
        }
    }

    mutating func primary() throws -> Expr {
        let l = current.location
        switch kind {
        case .number(let v): _ = advance(); return .number(v, l)
        case .string(let s): _ = advance(); return .string(s, l)
        case .keyword("true"): _ = advance(); return .bool(true, l)
        case .keyword("false"): _ = advance(); return .bool(false, l)
        case .keyword("nil"): _ = advance(); return .nilLiteral(l)
        case .keyword("fn"):
            _ = advance()
            let params = try parameters()
            return .function(params, try block("after fn(...)"), l)
        case .identifier(let n): _ = advance(); return .name(n, l)
        case .symbol("("):
            nesting += 1; _ = advance()
            let e = try expression()
            nesting -= 1
            try expectSymbol(")", "to close '('")
            return e
        case .symbol("["):
            nesting += 1; _ = advance()
            var items: [Expr] = []
            while !isSymbol("]") {
                items.append(try expression())
                if isSymbol(",") { _ = advance() } else if !isSymbol("]") { nesting -= 1; throw error("expected ',' or ']' in the list") }
            }
            nesting -= 1; _ = advance()
            return .list(items, l)
        case .symbol("{"):
            nesting += 1; _ = advance()
            var fields: [(String, Expr)] = []
            while !isSymbol("}") {
                let key: String
                switch kind {
                case .identifier(let n): key = n
                case .string(let s): key = s
                default: nesting -= 1; throw error("expected a field name in the record")
                }
                _ = advance()
                guard isSymbol(":") else { nesting -= 1; throw error("expected ':' after the field name '\(key)'") }
                _ = advance()
                fields.append((key, try expression()))
                if isSymbol(",") { _ = advance() } else if !isSymbol("}") { nesting -= 1; throw error("expected ',' or '}' in the record") }
            }
            nesting -= 1; _ = advance()
            return .record(fields, l)
        default:
            throw error("expected a value")
        }
    }
}
