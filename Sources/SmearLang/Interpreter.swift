// A tree-walking interpreter for the smear command language.
import Foundation

/// Variables of one scope, with the enclosing scope.
public final class Environment: @unchecked Sendable {
    var values: [String: Value] = [:]
    let parent: Environment?
    init(parent: Environment?) { self.parent = parent }

    func lookup(_ name: String) -> Value? { values[name] ?? parent?.lookup(name) }

    /// Assigns in the scope that defines `name`, else in this one.
    func assign(_ name: String, _ value: Value) {
        var e: Environment? = self
        while let s = e { if s.values[name] != nil { s.values[name] = value; return }; e = s.parent }
        values[name] = value
    }

    var allNames: [String] { Array(values.keys) + (parent?.allNames ?? []) }
}

struct ReturnSignal: Error { let value: Value }

public final class Interpreter {
    public let globals = Environment(parent: nil)
    public private(set) var builtins: [String: Builtin] = [:]

    /// Removes a builtin (a host that sandboxes scripts, or the fuzzer, leaves out what touches files).
    public func unregister(_ name: String) { builtins[name] = nil; globals.values[name] = nil }
    /// Arithmetic and comparison on host objects (tensors): return nil when the host does not handle it.
    public var operatorHook: ((String, Value, Value) throws -> Value?)?
    /// Unary minus on host objects.
    public var negateHook: ((Value) throws -> Value?)?
    /// Indexing of host objects.
    public var indexHook: ((Value, Value) throws -> Value?)?
    /// Where `print` writes.
    public var output: (String) -> Void = { print($0) }
    /// Asked at every loop iteration and function call: true stops the program with an "interrupted" error
    /// (the host sets it from Ctrl-C), so `while true {}` can be left without killing the session.
    public var interrupted: () -> Bool = { false }
    /// The one-line text of an error a builtin threw that is not a LanguageError (the host's own wording).
    public var describeError: (Error) -> String = { "\($0)" }
    /// How many source() calls are running inside each other (bounded: a script may source itself).
    public var sourceDepth = 0
    var callDepth = 0
    /// Every scope a script function closed over. A function stored in the scope it closes over (any
    /// named function, any recursive closure) and that scope reference each other, which reference
    /// counting never frees; emptying these scopes when the interpreter goes breaks every such cycle.
    private var capturedScopes: [ObjectIdentifier: Environment] = [:]

    public init() {
        registerCoreBuiltins()
    }

    deinit {
        for scope in capturedScopes.values { scope.values.removeAll() }
        globals.values.removeAll()
    }

    /// A script function closing over `scope`, remembered so that `deinit` can break the cycle.
    private func closure(_ name: String, _ parameters: [String], _ body: [Stmt], _ scope: Environment) -> Value {
        capturedScopes[ObjectIdentifier(scope)] = scope
        return .function(Closure(name: name, parameters: parameters, body: body, environment: scope))
    }

    public func register(_ b: Builtin) { builtins[b.name] = b; globals.values[b.name] = .builtin(b) }

    public var globalNames: [String] { globals.allNames }

    /// Defines or replaces a global variable (e.g. the script's `args`).
    public func setGlobal(_ name: String, _ value: Value) { globals.values[name] = value }

    /// Runs source text; returns the value of a final expression statement (for the REPL to echo).
    @discardableResult
    public func run(_ source: String, name: String = "<input>") throws -> Value? {
        do {
            let program = try Parser.parse(source)
            var last: Value? = nil
            for stmt in program {
                last = nil
                if case .expression(let e) = stmt { last = try evaluate(e, globals) } else { try execute(stmt, globals) }
            }
            return last
        } catch var e as LanguageError {
            if e.source == nil { e.source = name }
            throw e
        } catch let r as ReturnSignal {
            return r.value
        }
    }

    // MARK: statements

    func execute(_ stmt: Stmt, _ env: Environment) throws {
        switch stmt {
        case .expression(let e): _ = try evaluate(e, env)
        case .assign(let target, let valueExpr, _):
            let v = try evaluate(valueExpr, env)
            try assign(target, v, env)
        case .function(let name, let params, let body, _):
            env.values[name] = closure(name, params, body, env)
        case .ifElse(let cond, let then, let otherwise, _):
            if try evaluate(cond, env).isTruthy { try executeBlock(then, env) }
            else if let otherwise { try executeBlock(otherwise, env) }
        case .forIn(let name, let seqExpr, let body, let loc):
            let seq = try evaluate(seqExpr, env)
            let items: [Value]
            switch seq {
            case .list(let l): items = l
            case .record(let f): items = f.map { .string($0.0) }
            case .string(let s): items = s.map { .string(String($0)) }
            default: throw LanguageError(.type, "cannot loop over a \(seq.typeName)", at: loc, hint: "use a list, e.g. range(5) or [1, 2]")
            }
            for item in items {
                try checkInterrupt(loc)
                env.assign(name, item)
                try executeBlock(body, env)
            }
        case .whileLoop(let cond, let body, let loc):
            while try evaluate(cond, env).isTruthy {
                try checkInterrupt(loc)
                try executeBlock(body, env)
            }
        case .returnValue(let e, _):
            throw ReturnSignal(value: try e.map { try evaluate($0, env) } ?? .none)
        }
    }

    func executeBlock(_ body: [Stmt], _ env: Environment) throws { for s in body { try execute(s, env) } }

    func checkInterrupt(_ loc: SourceLocation) throws {
        if interrupted() { throw LanguageError(.runtime, "interrupted (Ctrl-C)", at: loc) }
    }

    func assign(_ target: Expr, _ v: Value, _ env: Environment) throws {
        switch target {
        case .name(let n, _):
            if builtins[n] != nil && env === globals { throw LanguageError(.name, "'\(n)' is a builtin and cannot be reassigned", at: target.location) }
            env.assign(n, v)
        case .attribute(let base, let field, let loc):
            guard case .name(let n, _) = base, case .record(var fields) = try evaluate(base, env) else {
                throw LanguageError(.type, "only record fields of a variable can be assigned", at: loc)
            }
            if let i = fields.firstIndex(where: { $0.0 == field }) { fields[i].1 = v } else { fields.append((field, v)) }
            env.assign(n, .record(fields))
        case .index(let base, let indexExpr, let loc):
            guard case .name(let n, _) = base, case .list(var items) = try evaluate(base, env) else {
                throw LanguageError(.type, "only list elements of a variable can be assigned", at: loc)
            }
            let i = try listIndex(try evaluate(indexExpr, env), count: items.count, loc)
            items[i] = v
            env.assign(n, .list(items))
        default: throw LanguageError(.syntax, "cannot assign to this expression", at: target.location)
        }
    }

    // MARK: expressions

    func evaluate(_ e: Expr, _ env: Environment) throws -> Value {
        switch e {
        case .number(let n, _): return .number(n)
        case .string(let s, _): return .string(s)
        case .bool(let b, _): return .bool(b)
        case .nilLiteral: return .none
        case .name(let n, let loc):
            if let v = env.lookup(n) { return v }
            let hint = closestName(to: n, in: env.allNames).map { "did you mean '\($0)'?" } ?? "help() lists the builtins"
            throw LanguageError(.name, "unknown name '\(n)'", at: loc, hint: hint)
        case .list(let items, _): return .list(try items.map { try evaluate($0, env) })
        case .record(let fields, _): return .record(try fields.map { ($0.0, try evaluate($0.1, env)) })
        case .function(let params, let body, _): return closure("fn", params, body, env)
        case .attribute(let base, let name, let loc): return try attribute(try evaluate(base, env), name, loc)
        case .index(let base, let indexExpr, let loc):
            let b = try evaluate(base, env), i = try evaluate(indexExpr, env)
            switch (b, i) {
            case (.list(let items), _): return items[try listIndex(i, count: items.count, loc)]
            case (.string(let s), _): return .string(String(Array(s)[try listIndex(i, count: s.count, loc)]))
            case (.record, .string(let k)):
                guard let v = b.field(k) else { throw LanguageError(.name, "record has no field '\(k)'", at: loc) }
                return v
            default:
                if let hook = indexHook, let v = try wrap(loc, { try hook(b, i) }) { return v }
                throw LanguageError(.type, "cannot index a \(b.typeName) with a \(i.typeName)", at: loc)
            }
        case .call(let fnExpr, let argExprs, let kwExprs, let loc):
            let f = try evaluate(fnExpr, env)
            let args = try argExprs.map { try evaluate($0, env) }
            let kws = try kwExprs.map { ($0.0, try evaluate($0.1, env)) }
            return try call(f, args, kws, loc)
        case .unary(let op, let x, let loc):
            let v = try evaluate(x, env)
            if op == "not" { return .bool(!v.isTruthy) }
            if case .number(let n) = v { return .number(-n) }
            if let hook = negateHook, let r = try wrap(loc, { try hook(v) }) { return r }
            throw LanguageError(.type, "cannot negate a \(v.typeName)", at: loc)
        case .binary(let op, let l, let r, let loc):
            if op == "and" { let a = try evaluate(l, env); return a.isTruthy ? try evaluate(r, env) : a }
            if op == "or" { let a = try evaluate(l, env); return a.isTruthy ? a : try evaluate(r, env) }
            return try binary(op, try evaluate(l, env), try evaluate(r, env), loc)
        }
    }

    /// Runs `body`, giving host errors without a location the location of the expression.
    func wrap<T>(_ loc: SourceLocation, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch var e as LanguageError { if e.location == nil { e.location = loc }; throw e }
        catch let r as ReturnSignal { throw r }
        catch { throw LanguageError(.runtime, describeError(error), at: loc) }
    }

    func listIndex(_ i: Value, count: Int, _ loc: SourceLocation) throws -> Int {
        guard case .number(let n) = i, n == n.rounded() else { throw LanguageError(.type, "an index must be a whole number, got \(i)", at: loc) }
        let k = exactInteger(n).map { $0 < 0 ? $0 + count : $0 } ?? -1
        guard k >= 0 && k < count else { throw LanguageError(.value, "index \(i) is out of range for \(count) element(s)", at: loc) }
        return k
    }

    func attribute(_ v: Value, _ name: String, _ loc: SourceLocation) throws -> Value {
        switch v {
        case .record:
            if let f = v.field(name) { return f }
            guard case .record(let fields) = v else { break }
            throw LanguageError(.name, "record has no field '\(name)'", at: loc,
                                hint: closestName(to: name, in: fields.map(\.0)).map { "did you mean '\($0)'?" })
        case .list(let items) where name == "length": return .number(Double(items.count))
        case .string(let s) where name == "length": return .number(Double(s.count))
        case .object(let o):
            if let a = try wrap(loc, { try o.attribute(name) }) { return a }
            throw LanguageError(.name, "\(o.typeName) has no attribute '\(name)'", at: loc,
                                hint: closestName(to: name, in: o.attributeNames).map { "did you mean '\($0)'?" }
                                    ?? "attributes: \(o.attributeNames.joined(separator: ", "))")
        default: break
        }
        throw LanguageError(.type, "a \(v.typeName) has no attribute '\(name)'", at: loc)
    }

    public func call(_ f: Value, _ args: [Value], _ kws: [(String, Value)], _ loc: SourceLocation) throws -> Value {
        switch f {
        case .builtin(let b):
            return try wrap(loc) {
                try b.checkArguments(positional: args, keywords: kws)
                return try b.call(Arguments(function: b.name, positional: args, keywords: kws, interpreter: self, defaults: b.defaults))
            }
        case .function(let c):
            guard args.count + kws.count <= c.parameters.count else {
                throw LanguageError(.type, "\(c.name)() takes \(c.parameters.count) argument(s), got \(args.count + kws.count)", at: loc)
            }
            callDepth += 1
            defer { callDepth -= 1 }
            guard callDepth < 200 else { throw LanguageError(.runtime, "too deep recursion in \(c.name)()", at: loc) }
            let scope = Environment(parent: c.environment)
            for (i, p) in c.parameters.enumerated() { scope.values[p] = i < args.count ? args[i] : Value.none }
            for (k, v) in kws {
                guard c.parameters.contains(k) else {
                    throw LanguageError(.name, "\(c.name)() has no parameter '\(k)'", at: loc, hint: "parameters: \(c.parameters.joined(separator: ", "))")
                }
                scope.values[k] = v
            }
            do { try executeBlock(c.body, scope) } catch let r as ReturnSignal { return r.value }
            return .none
        default:
            throw LanguageError(.type, "a \(f.typeName) is not a function", at: loc)
        }
    }

    func binary(_ op: String, _ a: Value, _ b: Value, _ loc: SourceLocation) throws -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            switch op {
            case "+": return .number(x + y)
            case "-": return .number(x - y)
            case "*": return .number(x * y)
            case "/":
                guard y != 0 else { throw LanguageError(.value, "division by zero", at: loc) }
                return .number(x / y)
            case "%":
                guard y != 0 else { throw LanguageError(.value, "remainder of a division by zero (x % 0)", at: loc) }
                return .number(x.truncatingRemainder(dividingBy: y))
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            default: break
            }
        case (.string(let x), .string(let y)) where ["+", "==", "!=", "<", ">"].contains(op):
            switch op {
            case "+":
                try ValueBudget.checkString(x.utf8.count + y.utf8.count, "'+' of two strings")
                return .string(x + y)
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            default: return .bool(x > y)
            }
        case (.string(let x), _) where op == "+":
            let y = b.description
            try ValueBudget.checkString(x.utf8.count + y.utf8.count, "'+' of a string and a value")
            return .string(x + y)
        case (.list(let x), .list(let y)) where op == "+":
            try ValueBudget.checkList(x.count + y.count, "'+' of two lists")
            return .list(x + y)
        default: break
        }
        if op == "==" || op == "!=" {
            let same = equal(a, b)
            if let hook = operatorHook, case .object = a, let r = try wrap(loc, { try hook(op, a, b) }) { return r }
            return .bool(op == "==" ? same : !same)
        }
        if let hook = operatorHook, let r = try wrap(loc, { try hook(op, a, b) }) { return r }
        throw LanguageError(.type, "cannot apply '\(op)' to a \(a.typeName) and a \(b.typeName)", at: loc)
    }

    func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.none, .none): return true
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)): return x === y
        default: return false
        }
    }
}
