// The syntax tree of the smear command language.

public indirect enum Expr: Sendable {
    case number(Double, SourceLocation)
    case string(String, SourceLocation)
    case bool(Bool, SourceLocation)
    case nilLiteral(SourceLocation)
    case name(String, SourceLocation)
    case list([Expr], SourceLocation)
    case record([(String, Expr)], SourceLocation)
    case attribute(Expr, String, SourceLocation)
    case index(Expr, Expr, SourceLocation)
    case call(Expr, [Expr], [(String, Expr)], SourceLocation)
    case unary(String, Expr, SourceLocation)
    case binary(String, Expr, Expr, SourceLocation)
    case function([String], [Stmt], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .number(_, let l), .string(_, let l), .bool(_, let l), .nilLiteral(let l), .name(_, let l), .list(_, let l),
             .record(_, let l), .attribute(_, _, let l), .index(_, _, let l), .call(_, _, _, let l), .unary(_, _, let l),
             .binary(_, _, _, let l), .function(_, _, let l): return l
        }
    }
}

public indirect enum Stmt: Sendable {
    case expression(Expr)
    case assign(Expr, Expr, SourceLocation)          // target (name, attribute or index), value
    case function(String, [String], [Stmt], SourceLocation)
    case ifElse(Expr, [Stmt], [Stmt]?, SourceLocation)
    case forIn(String, Expr, [Stmt], SourceLocation)
    case whileLoop(Expr, [Stmt], SourceLocation)
    case returnValue(Expr?, SourceLocation)
}
