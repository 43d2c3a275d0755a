// The builtins every interpreter has: printing, types, lists, maths, help, source.
import Foundation

extension Interpreter {
    func registerCoreBuiltins() {
        register(Builtin("print", "print(values...)", help: "Prints the values separated by spaces.", example: "print(\"loss\", 0.25)") { a in
            a.interpreter.output(a.positional.map(\.description).joined(separator: " ")); return .none
        })
        register(Builtin("type", "type(value)", help: "The type name of a value.", example: "type([1, 2])   # list") { a in
            .string(try a.required(0, "value").typeName)
        })
        register(Builtin("len", "len(value)", help: "Number of elements of a list, string or record.", example: "len([1, 2, 3])") { a in
            switch try a.required(0, "value") {
            case .list(let l): return .number(Double(l.count))
            case .string(let s): return .number(Double(s.count))
            case .record(let r): return .number(Double(r.count))
            case let v: throw LanguageError(.type, "len() of a \(v.typeName)")
            }
        })
        register(Builtin("range", "range(stop) or range(start, stop, step=1)", help: "A list of numbers.", example: "for i in range(3) { print(i) }") { a in
            let twoEnds = a.positional.count > 1 || a.value(nil, "stop") != nil
            let start = twoEnds ? try a.int(0, "start", default: 0) : 0
            let stop = twoEnds ? try a.int(1, "stop") : try a.int(0, "stop")
            let step = try a.int(2, "step")
            guard step != 0 else { throw LanguageError(.value, "range() step must not be 0") }
            let count = max(0, (stop - start + step - (step > 0 ? 1 : -1)) / step)
            try ValueBudget.checkList(count, "range()")
            return .list(stride(from: start, to: stop, by: step).map { .number(Double($0)) })
        })
        register(Builtin("append", "append(list, value)", help: "A new list with the value added at the end.", example: "xs = append(xs, 4)") { a in
            guard case .list(let l) = try a.required(0, "list") else { throw LanguageError(.type, "append() needs a list") }
            try ValueBudget.checkList(l.count + 1, "append()")
            return .list(l + [try a.required(1, "value")])
        })
        register(Builtin("keys", "keys(record)", help: "The field names of a record.", example: "keys({a: 1, b: 2})") { a in
            guard case .record(let r) = try a.required(0, "record") else { throw LanguageError(.type, "keys() needs a record") }
            return .list(r.map { .string($0.0) })
        })
        // Each with its domain: a value outside it is an error, not a NaN that surfaces later.
        let maths: [(String, (Double) -> Double, (Double) -> String?)] = [
            ("sqrt", { $0.squareRoot() }, { $0 < 0 ? "sqrt() of a negative number (\($0))" : nil }),
            ("exp", { Foundation.exp($0) }, { $0 > 709 ? "exp(\($0)) is larger than the largest number (exp(709) is the limit)" : nil }),
            ("log", { Foundation.log($0) }, { $0 <= 0 ? "log() of a number that is not positive (\($0))" : nil }),
            ("abs", { Swift.abs($0) }, { _ in nil }), ("floor", { $0.rounded(.down) }, { _ in nil }), ("round", { $0.rounded() }, { _ in nil })]
        for (name, f, outside) in maths {
            register(Builtin(name, "\(name)(x)", help: "\(name) of a number.", example: "\(name)(2)") { a in
                let x = try a.number(0, "x")
                if let problem = outside(x) { throw LanguageError(.value, problem) }
                return .number(f(x))
            })
        }
        register(Builtin("min", "min(list) or min(a, b, ...)", help: "The smallest number.", example: "min([3, 1, 2])") { a in
            let xs = try numbers(a)
            guard let m = xs.min() else { throw LanguageError(.value, "min() of nothing") }
            return .number(m)
        })
        register(Builtin("max", "max(list) or max(a, b, ...)", help: "The largest number.", example: "max(1, 5)") { a in
            let xs = try numbers(a)
            guard let m = xs.max() else { throw LanguageError(.value, "max() of nothing") }
            return .number(m)
        })
        register(Builtin("mean", "mean(list)", help: "The mean of numbers.", example: "mean([1, 2, 3])") { a in
            let xs = try numbers(a)
            guard !xs.isEmpty else { throw LanguageError(.value, "mean() of nothing") }
            return .number(xs.reduce(0, +) / Double(xs.count))
        })
        registerTextAndFileBuiltins()
    }

    /// Conversions, JSON and files, source() and help().
    func registerTextAndFileBuiltins() {
        register(Builtin("number", "number(text)", help: "The number written in a string (e.g. a script argument).", example: "seed = number(args[0])") { a in
            let v = try a.required(0, "text")
            if case .number = v { return v }
            guard case .string(let s) = v, let n = Double(s.trimmingCharacters(in: .whitespaces)) else {
                throw LanguageError(.value, "number(): '\(v)' is not a number")
            }
            return .number(n)
        })
        register(Builtin("str", "str(value)", help: "The value as text.", example: "\"epoch \" + str(3)") { a in .string(try a.required(0, "value").description) })
        register(Builtin("format", "format(number, digits=4)", help: "A number with a fixed number of decimals.", example: "format(0.123456, 2)") { a in
            .string(String(format: "%.\(try a.int(1, "digits", in: 0...20))f", try a.number(0, "number")))
        })
        register(Builtin("write_json", "write_json(path, value)", help: "Writes numbers, strings, booleans, nil, lists and records as JSON.",
                         example: "write_json(\"result.json\", {f1: 0.61, seed: 1})") { a in
            let path = try a.string(0, "path")
            let text = try jsonText(try a.required(1, "value"))
            do { try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
            catch { throw LanguageError(.io, a.interpreter.describeError(error)) }
            return .string(path)
        })
        register(Builtin("read_json", "read_json(path)", help: "Reads a JSON file into lists, records, numbers, strings, booleans and nil.",
                         example: "r = read_json(\"result.json\")") { a in
            let path = try a.string(0, "path")
            guard let data = FileManager.default.contents(atPath: path) else { throw LanguageError(.io, "cannot read \(path)") }
            guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                throw LanguageError(.value, "\(path) is not valid JSON")
            }
            return fromJSON(object)
        })
        register(Builtin("exists", "exists(path)", help: "Whether a file or folder exists.", example: "if not exists(\"runs\") { print(\"none\") }") { a in
            .bool(FileManager.default.fileExists(atPath: try a.string(0, "path")))
        })
        register(Builtin("source", "source(path)", help: "Runs a script file in the current session.", example: "source(\"setup.smear\")") { a in
            let path = try a.string(0, "path")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LanguageError(.io, "cannot read script \(path)", hint: "check the path (relative to \(FileManager.default.currentDirectoryPath))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw LanguageError(.io, "script \(path) is not UTF-8 text", hint: "save it as UTF-8")
            }
            a.interpreter.sourceDepth += 1
            defer { a.interpreter.sourceDepth -= 1 }
            guard a.interpreter.sourceDepth <= 50 else {
                throw LanguageError(.runtime, "source() nested more than 50 deep (does \(path) source itself?)")
            }
            return try a.interpreter.run(text, name: path) ?? .none
        })
        register(Builtin("help", "help() or help(function)", help: "Lists the builtins, or shows one function's signature, help and example\n(the function itself or its name as a string).",
                         example: "help(train)\nhelp(\"train\")") { a in
            if let v = a.value(0, "function") {
                if case .string(let name) = v {
                    guard let b = a.interpreter.builtins[name] else {
                        throw LanguageError(.name, "help(): no builtin '\(name)'",
                                            hint: closestName(to: name, in: Array(a.interpreter.builtins.keys)).map { "did you mean '\($0)'?" })
                    }
                    return .string(b.helpText)
                }
                guard case .builtin(let b) = v else {
                    if case .function(let c) = v { return .string("\(c.name)(\(c.parameters.joined(separator: ", "))): a function defined in a script") }
                    throw LanguageError(.type, "help() takes a function or its name, got a \(v.typeName)")
                }
                return .string(b.helpText)
            }
            let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
            let lines = a.interpreter.builtins.sorted { $0.key < $1.key }.map { _, b -> String in
                let signature = "  " + b.signature
                let summary = b.summary
                return signature.count + 2 + summary.count <= width && signature.count < 48
                    ? signature.padding(toLength: 48, withPad: " ", startingAt: 0) + summary
                    : signature + "\n      " + summary
            }
            return .string((["builtins (help(name) for details):"] + lines).joined(separator: "\n"))
        })
    }
}

public func numbers(_ a: Arguments) throws -> [Double] {
    let values: [Value]
    if a.positional.count == 1, case .list(let l) = a.positional[0] { values = l } else { values = a.positional }
    return try values.map { v in
        guard case .number(let n) = v else { throw LanguageError(.type, "\(a.function)() needs numbers, got a \(v.typeName)") }
        return n
    }
}

/// JSON text of a value (objects and functions are not data and are rejected).
public func jsonText(_ v: Value) throws -> String {
    switch v {
    case .number(let n): return n.isFinite ? (n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)") : "null"
    case .string(let s):
        let data = try JSONSerialization.data(withJSONObject: s, options: [.fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    case .bool(let b): return b ? "true" : "false"
    case .none: return "null"
    case .list(let items): return "[" + (try items.map(jsonText)).joined(separator: ", ") + "]"
    case .record(let fields): return "{" + (try fields.map { "\(try jsonText(.string($0.0))): \(try jsonText($0.1))" }).joined(separator: ", ") + "}"
    default: throw LanguageError(.type, "write_json(): a \(v.typeName) cannot be written as JSON")
    }
}

/// A language value of a JSONSerialization object (records' fields sorted by name).
public func fromJSON(_ o: Any) -> Value {
    switch o {
    case let b as Bool where !(o is Int) && "\(type(of: o))".contains("Bool"): return .bool(b)
    case let n as NSNumber: return String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .number(n.doubleValue)
    case let s as String: return .string(s)
    case let a as [Any]: return .list(a.map(fromJSON))
    case let d as [String: Any]: return .record(d.keys.sorted().map { ($0, fromJSON(d[$0] as Any)) })
    default: return .none
    }
}
