// B per-domain batch, F bottleneck features, K classes. The interface every adaptation method
// implements, built in or loaded from a plugin.
import Foundation
import SmearNN
import SmearTensor

/// One option of a method: its name, default, accepted range and help text, declared once (a static
/// constant of the method) and read back with `options[declaration]`.
public struct MethodOption: Sendable, Equatable {
    public let name: String, defaultValue: Double, help: String
    /// The values the option accepts, checked when a method is created; `whole`: whole numbers only.
    public let range: ClosedRange<Double>, whole: Bool
    public init(_ name: String, default value: Double, range: ClosedRange<Double> = -1e9...1e9, whole: Bool = false, help: String) {
        self.name = name; defaultValue = value; self.range = range; self.whole = whole; self.help = help
    }
}

extension MethodOption {
    /// η, the weight of the transfer loss in the trainer's objective: every method that has one declares this.
    public static let tradeOff = MethodOption("trade_off", default: 1, range: 0...1000, help: "η, weight of the transfer loss")
    /// The iterations over which a loss on the target's predictions alone (IM, MCC) rises from weight 0 to 1 by the
    /// GRL's tanh warm start, so a network trained from scratch is not pushed to confident guesses too early.
    public static let warmUpIters = MethodOption("warm_up_iters", default: 1000, range: 1...1e9, whole: true,
                                                 help: "iterations over which the loss weight rises from 0 (tanh warm start)")
}

/// A method's option values after `MethodDescriptor.resolve`: every declared option has one.
public struct MethodOptions: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// By option name (what run.json stores).
    public let values: [String: Double]
    public init(_ values: [String: Double]) { self.values = values }
    public init(dictionaryLiteral elements: (String, Double)...) { values = Dictionary(uniqueKeysWithValues: elements) }

    /// The value of a declared option (its default when the values predate the option).
    public subscript(option: MethodOption) -> Double { values[option.name] ?? option.defaultValue }
}

/// What a method sees of one training step.
public struct StepContext {
    /// Bottleneck features [B, F] of the source and target batches.
    public let sourceFeatures: Tensor, targetFeatures: Tensor
    /// Main-head logits [B, K].
    public let sourceLogits: Tensor, targetLogits: Tensor
    public let sourceLabels: [Int]
    /// The modules the method created with `makeModules`, by name (`module(_:)` looks one up).
    public let modules: [String: Module]
    /// The training iteration (from 0), for warm-start schedules.
    public let iteration: Int
    /// The network's classifier (features [B, F] → logits [B, K]), for a method that classifies features of its own
    /// making (MME reads the target's features through a gradient reversal); nil where no network is at hand.
    public let head: Module?
    public init(sourceFeatures: Tensor, targetFeatures: Tensor, sourceLogits: Tensor, targetLogits: Tensor,
                sourceLabels: [Int], modules: [String: Module], iteration: Int, head: Module? = nil) {
        self.sourceFeatures = sourceFeatures; self.targetFeatures = targetFeatures
        self.sourceLogits = sourceLogits; self.targetLogits = targetLogits
        self.sourceLabels = sourceLabels; self.modules = modules; self.iteration = iteration; self.head = head
    }
}

extension StepContext {
    /// The network's classifier; an error when the step has none.
    public func classifier() throws -> Module {
        guard let h = head else { throw PluginError.missingModule(name: "head (the network's classifier)", known: modules.keys.sorted()) }
        return h
    }

    /// The module the method created under `name`; an error naming the known ones when it is missing.
    public func module(_ name: String) throws -> Module {
        guard let m = modules[name] else { throw PluginError.missingModule(name: name, known: modules.keys.sorted()) }
        return m
    }
}

/// A method's transfer loss for one step and named diagnostics (no hidden state elsewhere).
public struct MethodOutput {
    public let loss: Tensor
    public let diagnostics: [String: Double]
    public init(loss: Tensor, diagnostics: [String: Double] = [:]) { self.loss = loss; self.diagnostics = diagnostics }
}

/// An unsupervised domain-adaptation method. The trainer adds `tradeOff × transferLoss` to the
/// class-weighted cross-entropy on the source batch.
public protocol AdaptationMethod: AnyObject {
    /// Short name, e.g. "mdd".
    var name: String { get }
    /// The values in use (defaults overridden by the user's options).
    var options: MethodOptions { get }
    /// Modules added on top of the shared network (trained with it and saved in its checkpoints).
    func makeModules(featureDim: Int, classes: Int) -> [String: Module]
    /// The classifier the method needs in place of the network's head (features [B, F] → logits [B, K]), or nil for
    /// the run's own head (the default).
    func makeClassifier(featureDim: Int, classes: Int) -> Module?
    /// The transfer loss of one step (a scalar tensor; minimised by the trainer).
    func transferLoss(_ step: StepContext) throws -> MethodOutput
}

extension AdaptationMethod {
    /// η: the trainer minimises cross-entropy + η × transfer loss.
    public var tradeOff: Float { Float(options[.tradeOff]) }
    public func makeClassifier(featureDim: Int, classes: Int) -> Module? { nil }
}

/// A method's description and factory: what a plugin exports and what the registry holds.
public final class MethodDescriptor {
    public let name: String
    public let summary: String
    public let options: [MethodOption]
    public let make: (MethodOptions) throws -> AdaptationMethod

    public init(name: String, summary: String, options: [MethodOption], make: @escaping (MethodOptions) throws -> AdaptationMethod) {
        self.name = name; self.summary = summary; self.options = options; self.make = make
    }

    /// Options merged over the defaults; unknown names are an error listing the known ones.
    public func resolve(_ given: [String: Double]) throws -> MethodOptions {
        var values = Dictionary(uniqueKeysWithValues: options.map { ($0.name, $0.defaultValue) })
        for (k, v) in given {
            guard values[k] != nil else {
                throw PluginError.unknownOption(method: name, option: k, known: options.map(\.name))
            }
            let option = options.first { $0.name == k }!
            guard v.isFinite, option.range.contains(v), !option.whole || v == v.rounded() else {
                throw PluginError.badOptionValue(method: name, option: k, value: v,
                                                 allowed: "\(option.whole ? "a whole number " : "")from \(option.range.lowerBound) to \(option.range.upperBound)")
            }
            values[k] = v
        }
        return MethodOptions(values)
    }

    public func instantiate(_ given: [String: Double] = [:]) throws -> AdaptationMethod { try make(try resolve(given)) }

    /// Help text: summary and options with defaults.
    public var help: String {
        ([name + ": " + summary] + options.map { "  \($0.name) = \($0.defaultValue)   \($0.help) [\($0.range.lowerBound)…\($0.range.upperBound)]" })
            .joined(separator: "\n")
    }
}

/// Source only: no transfer loss (the baseline).
public final class SourceOnly: AdaptationMethod {
    public let name = "source_only"
    public let options: MethodOptions = [:]
    public init() {}
    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }
    public func transferLoss(_ step: StepContext) -> MethodOutput { MethodOutput(loss: Tensor(scalar: 0)) }

    public static let descriptor = MethodDescriptor(name: "source_only", summary: "no adaptation (the baseline)", options: []) { _ in SourceOnly() }
}
