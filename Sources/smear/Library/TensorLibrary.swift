// Tensor builtins and arithmetic on tensors in scripts.
import Foundation
import SmearLang
import SmearTensor

func tensorArg(_ a: Arguments, _ i: Int?, _ name: String) throws -> Tensor {
    try a.object(i, name, as: TensorObject.self, typeName: "tensor").tensor
}

/// The largest tensor the language creates: 2^30 elements (4 GiB of Float32).
let maxTensorElements = 1 << 30

/// A shape given as a list of whole numbers. Only `reshape` may leave one entry as -1 (`allowInferred`);
/// the shape may hold at most `maxTensorElements` elements.
func shapeArg(_ a: Arguments, _ i: Int?, _ name: String, allowInferred: Bool = false) throws -> [Int] {
    guard case .list(let items) = try a.required(i, name) else { throw LanguageError(.type, "\(a.function)(): '\(name)' must be a list like [2, 3]") }
    let shape = try items.map { v in
        guard case .number(let n) = v, n == n.rounded(), n.magnitude <= Double(maxTensorElements) else {
            throw LanguageError(.type, "\(a.function)(): shape entries must be whole numbers up to \(maxTensorElements), got \(v)")
        }
        guard n >= 0 || (allowInferred && n == -1) else {
            throw LanguageError(.value, "\(a.function)(): shape entries cannot be negative, got \(Int(n))"
                                + (allowInferred ? " (only one -1, for an inferred size)" : ""))
        }
        return Int(n)
    }
    try checkElementCount(shape.filter { $0 != -1 }.map(Double.init), a.function)
    return shape
}

/// Refuses tensors of more than `maxTensorElements` elements, before any memory is asked for.
func checkElementCount(_ dims: [Double], _ function: String) throws {
    let count = dims.reduce(1, *)
    guard count <= Double(maxTensorElements) else {
        throw LanguageError(.value, "\(function)(): \(Int(count.rounded(.down))) elements is more than the \(maxTensorElements) a tensor may hold here",
                            hint: "4 GiB of Float32; use a smaller shape")
    }
}

func flatNumbers(_ v: Value) throws -> (values: [Float], shape: [Int]) {
    switch v {
    case .number(let n): return ([Float(n)], [])
    case .list(let items):
        if items.isEmpty { return ([], [0]) }
        let parts = try items.map(flatNumbers)
        guard parts.allSatisfy({ $0.shape == parts[0].shape }) else { throw LanguageError(.value, "tensor(): rows of different lengths") }
        return (parts.flatMap(\.values), [items.count] + parts[0].shape)
    default: throw LanguageError(.type, "tensor(): values must be numbers or nested lists of numbers, got \(v.typeName)")
    }
}

/// Checks a shape with the core's own rule before the op, so that a mistake in the REPL is an error, not a crash.
func shapeChecked<T>(_ rule: () throws -> T) throws -> T {
    do { return try rule() } catch let e as ShapeError { throw LanguageError(.value, e.description) }
}

func registerTensorLibrary(_ i: Interpreter) {
    i.register(Builtin("tensor", "tensor(values, shape=nil)", help: "A tensor from a number or nested lists; reshaped when shape is given.",
                       example: "t = tensor([[1, 2], [3, 4]])") { a in
        let (values, shape) = try flatNumbers(try a.required(0, "values"))
        var t = Tensor(values, shape: shape)
        if a.value(1, "shape") != nil {
            let s = try shapeArg(a, 1, "shape")
            guard s.reduce(1, *) == values.count else { throw LanguageError(.value, "tensor(): \(values.count) values do not fill shape \(s)") }
            t = t.reshaped(s)
        }
        return .object(TensorObject(t))
    })
    for (name, value) in [("zeros", Float(0)), ("ones", Float(1))] {
        i.register(Builtin(name, "\(name)(shape)", help: "A tensor of \(name).", example: "\(name)([2, 3])") { a in
            .object(TensorObject(Tensor.full(try shapeArg(a, 0, "shape"), value)))
        })
    }
    i.register(Builtin("backend", "backend(name=nil)",
                       help: "The compute back end of convolution, batch norm and pooling: dnnl (oneDNN, the default) or blas (im2col + OpenBLAS, the reference). With a name, switches to it (as SMEAR_BACKEND does at start-up) and returns the previous one; both give the same results to float32 rounding.",
                       example: "backend()  # \"dnnl\"\nbackend(\"blas\")") { a in
        let previous = ComputeBackend.current
        guard let v = a.value(0, "name") else { return .string(previous.rawValue) }
        if case .none = v { return .string(previous.rawValue) }
        guard case .string(let name) = v else { throw LanguageError(.type, "backend(): name must be a string, \"dnnl\" or \"blas\"") }
        guard let b = ComputeBackend(rawValue: name.lowercased()) else {
            throw LanguageError(.value, "backend(): '\(name)' is not a back end; use \"dnnl\" or \"blas\"")
        }
        ComputeBackend.current = b
        return .string(previous.rawValue)
    })
    i.register(Builtin("randn", "randn(shape, seed=0)", help: "Standard normal values (seeded).", example: "x = randn([4, 3], seed=1)") { a in
        var g = RandomGenerator(seed: UInt64(max(0, try a.int(1, "seed"))))
        return .object(TensorObject(Tensor.normal(try shapeArg(a, 0, "shape"), generator: &g)))
    })
    i.register(Builtin("arange", "arange(start, stop, step=1)", help: "Evenly spaced values in [start, stop).", example: "arange(0, 5)") { a in
        let start = try a.number(0, "start"), stop = try a.number(1, "stop"), step = try a.number(2, "step")
        guard start.isFinite && stop.isFinite && step.isFinite else { throw LanguageError(.value, "arange(): start, stop and step must be finite numbers") }
        guard step != 0 else { throw LanguageError(.value, "arange(): step must not be 0") }
        try checkElementCount([max(0, ((stop - start) / step).rounded(.up))], "arange")
        return .object(TensorObject(Tensor.arange(Float(start), Float(stop), step: Float(step))))
    })
    registerTensorShapeLibrary(i)
}

/// Shapes, reductions and softmax.
func registerTensorShapeLibrary(_ i: Interpreter) {
    i.register(Builtin("reshape", "reshape(t, shape)", help: "The same values in a new shape (one entry may be -1).", example: "reshape(arange(0, 6), [2, 3])") { a in
        let t = try tensorArg(a, 0, "t"), s = try shapeArg(a, 1, "shape", allowInferred: true)
        _ = try shapeChecked { try ShapeRules.reshape(t.shape, count: t.count, to: s, op: "reshape()") }
        return .object(TensorObject(t.reshaped(s)))
    })
    i.register(Builtin("transpose", "transpose(t)", help: "Swaps the last two dimensions.", example: "transpose(t)") { a in
        let t = try tensorArg(a, 0, "t")
        guard t.rank >= 2 else { throw LanguageError(.value, "transpose(): needs 2 or more dimensions, got \(t.shape)") }
        return .object(TensorObject(t.transposed()))
    })
    for name in ["softmax", "log_softmax"] {
        i.register(Builtin(name, "\(name)(t, axis=-1)", help: "\(name) along an axis.", example: "\(name)(tensor([1, 2, 3]))") { a in
            let t = try tensorArg(a, 0, "t"), axis = try a.int(1, "axis")
            _ = try shapeChecked { try ShapeRules.axis(axis, rank: t.rank, op: "\(name)()") }
            return .object(TensorObject(name == "softmax" ? t.softmax(axis: axis) : t.logSoftmax(axis: axis)))
        })
    }
    i.register(Builtin("argmax", "argmax(t, axis=-1)", help: "Indices of the largest values along an axis.", example: "argmax(logits, axis=1)") { a in
        let t = try tensorArg(a, 0, "t"), axis = try a.int(1, "axis")
        _ = try shapeChecked { try ShapeRules.axis(axis, rank: t.rank, op: "argmax()") }
        return numberList(t.argmax(axis: axis))
    })
    for (name, wrapped) in [("sum", "the sum"), ("mean", "the mean")] {
        let listVersion = i.builtins[name]
        i.register(Builtin(name, "\(name)(t_or_list, axis=nil)", help: "\(wrapped.capitalized) of a tensor (over one axis or all) or of a list of numbers.",
                           example: "\(name)(tensor([1, 2, 3]))") { a in
            guard case .object(let o) = try a.required(0, "t"), let t = (o as? TensorObject)?.tensor else {
                if let listVersion { return try listVersion.call(a) }
                let xs = try numbers(a)
                return .number(xs.reduce(0, +))
            }
            if a.value(1, "axis") != nil {
                let axis = try a.int(1, "axis")
                _ = try shapeChecked { try ShapeRules.axis(axis, rank: t.rank, op: "\(name)()") }
                return .object(TensorObject(name == "sum" ? t.sum(axis: axis) : t.mean(axis: axis)))
            }
            return .number(Double(name == "sum" ? t.sum().item : t.mean().item))
        })
    }

    i.operatorHook = { op, x, y in
        func tensor(_ v: Value) -> Tensor? {
            if case .object(let o) = v { return (o as? TensorObject)?.tensor }
            if case .number(let n) = v { return Tensor(scalar: Float(n)) }
            return nil
        }
        guard let a = tensor(x), let b = tensor(y), (x.typeName == "tensor" || y.typeName == "tensor") else { return nil }
        let result: Tensor
        switch op {
        case "+": _ = try shapeChecked { try ShapeRules.broadcast(a.shape, b.shape, op: "'+'") }; result = a + b
        case "-": _ = try shapeChecked { try ShapeRules.broadcast(a.shape, b.shape, op: "'-'") }; result = a - b
        case "*": _ = try shapeChecked { try ShapeRules.broadcast(a.shape, b.shape, op: "'*'") }; result = a * b
        case "/": _ = try shapeChecked { try ShapeRules.broadcast(a.shape, b.shape, op: "'/'") }; result = a / b
        case "@":
            _ = try shapeChecked { try ShapeRules.matmul(a.shape, b.shape, op: "'@'") }
            result = a.matmul(b)
        default: return nil
        }
        return .object(TensorObject(result))
    }
    i.negateHook = { v in
        guard case .object(let o) = v, let t = (o as? TensorObject)?.tensor else { return nil }
        return .object(TensorObject(-t))
    }
    i.indexHook = { base, index in
        guard case .object(let o) = base, let t = (o as? TensorObject)?.tensor, case .number(let n) = index else { return nil }
        guard n == n.rounded() else { throw LanguageError(.type, "a tensor index must be a whole number, got \(index)") }
        guard t.rank >= 1 else { throw LanguageError(.value, "a tensor of shape \(t.shape) has no rows to index") }
        let k = exactInteger(n).map { $0 < 0 ? $0 + t.shape[0] : $0 } ?? -1
        guard k >= 0, k < t.shape[0] else { throw LanguageError(.value, "index \(index) is out of range for shape \(t.shape)") }
        let row = t.sliced(axis: 0, k, k + 1)
        return t.rank == 1 ? .number(Double(row.item)) : .object(TensorObject(row.squeezed(0)))
    }
}
