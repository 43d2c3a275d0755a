// The values of the language. Host values (tensors, datasets, models, runs, ...) are `.object`s that
// the executable defines (Lua's userdata); the language knows only their type name and attributes.

/// A value the host exposes to scripts.
public protocol ScriptObject: AnyObject {
    /// Type name shown in errors and `type(x)`, e.g. "tensor", "dataset".
    var typeName: String { get }
    /// What `print(x)` and the REPL show.
    var summary: String { get }
    /// Attribute names, for `x.<TAB>` completion and error hints.
    var attributeNames: [String] { get }
    /// The attribute `name`, or nil if there is none.
    func attribute(_ name: String) throws -> Value?
}

public final class Closure: @unchecked Sendable {
    public let name: String
    public let parameters: [String]
    let body: [Stmt]
    let environment: Environment
    init(name: String, parameters: [String], body: [Stmt], environment: Environment) {
        self.name = name; self.parameters = parameters; self.body = body; self.environment = environment
    }
}

/// `n` as an Int when it is a whole number that a Double holds exactly (|n| ≤ 2^53), else nil: the one
/// conversion for numbers a user types, since `Int(n)` traps on 1e300, infinity and NaN.
public func exactInteger(_ n: Double) -> Int? {
    guard n.isFinite, n == n.rounded(), n.magnitude <= 9_007_199_254_740_992 else { return nil }
    return Int(n)
}

/// A function of the host, with its documentation.
public final class Builtin: @unchecked Sendable {
    public let name: String
    /// e.g. "range(stop) or range(start, stop, step=1)": the forms the builtin accepts, with defaults.
    public let signature: String
    public let help: String
    public let example: String
    public let call: (Arguments) throws -> Value
    public init(_ name: String, _ signature: String, help: String, example: String = "", call: @escaping (Arguments) throws -> Value) {
        self.name = name; self.signature = signature; self.help = help; self.example = example; self.call = call
        parameters = Builtin.parameters(of: name, in: signature)
        defaults = Builtin.defaults(of: name, in: signature)
    }

    /// Signature, help and example, as help(name) shows them.
    public var helpText: String {
        ([signature, "", help] + (example.isEmpty ? [] : ["", "example:"] + example.split(separator: "\n").map { "  " + $0 }))
            .joined(separator: "\n")
    }

    /// The help's first sentence, whole (help texts are wrapped at fixed columns, so the first line may stop mid-sentence).
    public var summary: String {
        let text = help.replacingOccurrences(of: "\n", with: " ")
        if let end = text.range(of: ". ") { return String(text[..<end.lowerBound]) + "." }
        return text
    }

    /// The parameter names of the longest form in `signature` ("range(stop) or range(start, stop, step=1)"
    /// → start, stop, step; every form's names are allowed as keywords), or nil when it takes any number
    /// ("print(values...)", "plugin(name, option=value, ...)").
    public let parameters: (positional: Int, names: [String])?

    static func parameters(of name: String, in signature: String) -> (positional: Int, names: [String])? {
        guard !signature.contains("...") else { return nil }
        var forms: [[String]] = []
        var rest = Substring(signature)
        while let open = rest.range(of: name + "(") {
            guard let close = rest[open.upperBound...].firstIndex(of: ")") else { break }
            let inside = rest[open.upperBound..<close]
            forms.append(inside.split(separator: ",").map { $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty })
            rest = rest[rest.index(after: close)...]
        }
        guard !forms.isEmpty else { return nil }
        var names: [String] = []
        for form in forms { for n in form where !names.contains(n) { names.append(n) } }
        return (forms.map(\.count).max() ?? 0, names)
    }

    /// The defaults the signature states (`width=64`, `norm="batch"`, `adabn=false`, `name=nil`): the one place
    /// a builtin's default is written; its argument accessors fall back on them.
    public let defaults: [String: Value]

    static func defaults(of name: String, in signature: String) -> [String: Value] {
        var found: [String: Value] = [:]
        var rest = Substring(signature)
        while let open = rest.range(of: name + "("), let close = rest[open.upperBound...].firstIndex(of: ")") {
            for part in rest[open.upperBound..<close].split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, let v = literal(kv[1]) else { continue }
                found[kv[0]] = v
            }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    /// A literal default: a number, a "string", true, false or nil (anything else is documentation only).
    static func literal(_ text: String) -> Value? {
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "nil": return Value.none
        default:
            if let n = Double(text) { return .number(n) }
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), !text.dropFirst().dropLast().contains("\"") {
                return .string(String(text.dropFirst().dropLast()))
            }
            return nil
        }
    }

    /// Rejects what no form of the signature accepts: too many positional arguments, unknown keywords,
    /// a keyword given twice, or a keyword naming a parameter already given by position.
    public func checkArguments(positional: [Value], keywords: [(String, Value)]) throws {
        var seen = Set<String>()
        for (k, _) in keywords {
            guard seen.insert(k).inserted else { throw LanguageError(.type, "\(name)(): the argument '\(k)' is given twice") }
        }
        guard let parameters else { return }
        guard positional.count <= parameters.positional else {
            throw LanguageError(.type, "\(name)() takes at most \(parameters.positional) argument(s), got \(positional.count)",
                                hint: "usage: \(signature)")
        }
        for (k, _) in keywords {
            guard let index = parameters.names.firstIndex(of: k) else {
                throw LanguageError(.name, "\(name)() has no argument '\(k)'",
                                    hint: closestName(to: k, in: parameters.names).map { "did you mean '\($0)'?" } ?? "usage: \(signature)")
            }
            if index < positional.count, parameters.positional == parameters.names.count {
                throw LanguageError(.type, "\(name)(): '\(k)' is given both by position and by keyword")
            }
        }
    }
}

public indirect enum Value: CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case none
    case list([Value])
    case record([(String, Value)])
    case function(Closure)
    case builtin(Builtin)
    case object(ScriptObject)

    public var typeName: String {
        switch self {
        case .number: return "number"
        case .string: return "string"
        case .bool: return "bool"
        case .none: return "nil"
        case .list: return "list"
        case .record: return "record"
        case .function, .builtin: return "function"
        case .object(let o): return o.typeName
        }
    }

    public var isTruthy: Bool {
        switch self {
        case .bool(let b): return b
        case .none: return false
        case .number(let n): return n != 0
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .number(let n):
            if n == n.rounded() && abs(n) < 1e15 { return String(Int64(n)) }
            return "\(n)"
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .none: return "nil"
        case .list(let items): return "[" + items.map(\.quoted).joined(separator: ", ") + "]"
        case .record(let fields): return "{" + fields.map { "\($0.0): \($0.1.quoted)" }.joined(separator: ", ") + "}"
        case .function(let c): return "<fn \(c.name)(\(c.parameters.joined(separator: ", ")))>"
        case .builtin(let b): return "<builtin \(b.signature)>"
        case .object(let o): return o.summary
        }
    }

    /// Strings quoted, for display inside lists and records.
    var quoted: String { if case .string(let s) = self { return "\"\(s)\"" }; return description }

    public func field(_ field: String) -> Value? {
        if case .record(let fields) = self { return fields.first { $0.0 == field }?.1 }
        return nil
    }
}

/// The arguments of a builtin call, with typed accessors that name the function and argument in errors.
public struct Arguments {
    public let function: String
    public let positional: [Value]
    public let keywords: [(String, Value)]
    public let interpreter: Interpreter
    /// The builtin's declared defaults (`Builtin.defaults`), used when an accessor is given none.
    public let defaults: [String: Value]

    public init(function: String, positional: [Value], keywords: [(String, Value)], interpreter: Interpreter,
                defaults: [String: Value] = [:]) {
        self.function = function; self.positional = positional; self.keywords = keywords; self.interpreter = interpreter
        self.defaults = defaults
    }

    /// The declared default of `name`, if it is a number, string or boolean.
    func declaredDefault(_ name: String) -> Value? {
        switch defaults[name] {
        case .number?, .string?, .bool?: return defaults[name]
        default: return nil
        }
    }

    /// Argument `name`, given by position `index` or by keyword.
    public func value(_ index: Int?, _ name: String) -> Value? {
        if let kw = keywords.first(where: { $0.0 == name }) { return kw.1 }
        if let index, index < positional.count { return positional[index] }
        return nil
    }

    public func required(_ index: Int?, _ name: String) throws -> Value {
        guard let v = value(index, name) else { throw LanguageError(.type, "\(function)() needs the argument '\(name)'") }
        return v
    }

    public func number(_ index: Int?, _ name: String, default d: Double? = nil) throws -> Double {
        guard let v = value(index, name) ?? (d == nil ? declaredDefault(name) : nil) else {
            if let d { return d }
            throw LanguageError(.type, "\(function)() needs the number argument '\(name)'")
        }
        guard case .number(let n) = v else { throw LanguageError(.type, "\(function)(): '\(name)' must be a number, got \(v.typeName)") }
        return n
    }

    public func int(_ index: Int?, _ name: String, default d: Int? = nil) throws -> Int {
        let n = try number(index, name, default: d.map(Double.init))
        guard n == n.rounded() else { throw LanguageError(.type, "\(function)(): '\(name)' must be a whole number, got \(n)") }
        guard let whole = exactInteger(n) else { throw LanguageError(.value, "\(function)(): '\(name)' is too large (\(n))") }
        return whole
    }

    /// A whole number within `range`, else an error that states the range.
    public func int(_ index: Int?, _ name: String, default d: Int? = nil, in range: ClosedRange<Int>, why: String = "") throws -> Int {
        let n = try int(index, name, default: d)
        guard range.contains(n) else {
            throw LanguageError(.value, "\(function)(): '\(name)' must be between \(range.lowerBound) and \(range.upperBound), got \(n)\(why.isEmpty ? "" : " (\(why))")")
        }
        return n
    }

    /// A number within `range` (closed), else an error that states the range.
    public func number(_ index: Int?, _ name: String, default d: Double? = nil, in range: ClosedRange<Double>) throws -> Double {
        let n = try number(index, name, default: d)
        guard range.contains(n) else {
            throw LanguageError(.value, "\(function)(): '\(name)' must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
        }
        return n
    }

    public func string(_ index: Int?, _ name: String, default d: String? = nil) throws -> String {
        guard let v = value(index, name) ?? (d == nil ? declaredDefault(name) : nil) else {
            if let d { return d }
            throw LanguageError(.type, "\(function)() needs the string argument '\(name)'")
        }
        guard case .string(let s) = v else { throw LanguageError(.type, "\(function)(): '\(name)' must be a string, got \(v.typeName)") }
        return s
    }

    /// A string argument whose default is nil: nil when it is absent or given as nil.
    public func optionalString(_ index: Int?, _ name: String) throws -> String? {
        switch value(index, name) {
        case nil, .none?: return nil
        case .string(let s)?: return s
        case let v?: throw LanguageError(.type, "\(function)(): '\(name)' must be a string or nil, got \(v.typeName)")
        }
    }

    /// A whole-number argument within `range` whose default is nil: nil when it is absent or given as nil.
    public func optionalInt(_ index: Int?, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        switch value(index, name) {
        case nil, .none?: return nil
        default: return try int(index, name, in: range)
        }
    }

    public func bool(_ index: Int?, _ name: String, default d: Bool? = nil) throws -> Bool {
        guard let v = value(index, name) ?? (d == nil ? declaredDefault(name) : nil) else {
            if let d { return d }
            throw LanguageError(.type, "\(function)() needs the argument '\(name)' (true or false)")
        }
        guard case .bool(let b) = v else { throw LanguageError(.type, "\(function)(): '\(name)' must be true or false, got \(v.typeName)") }
        return b
    }

    public func object<T>(_ index: Int?, _ name: String, as type: T.Type, typeName: String) throws -> T {
        let v = try required(index, name)
        guard case .object(let o) = v, let t = o as? T else {
            throw LanguageError(.type, "\(function)(): '\(name)' must be a \(typeName), got \(v.typeName)")
        }
        return t
    }
}
