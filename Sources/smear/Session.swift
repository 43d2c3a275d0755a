// A scripting session: an interpreter with every library of the core registered.
import Foundation
import SmearLang
import SmearTensor

func makeInterpreter(arguments: [String] = []) -> Interpreter {
    let i = Interpreter()
    i.describeError = ErrorText.oneLine
    registerTensorLibrary(i)
    registerDataLibrary(i)
    registerTrainingLibrary(i)
    registerPlotLibrary(i)
    registerPictureLibrary(i)
    registerProposalLibrary(i)
    registerSelfTrainingLibrary(i)
    registerExportLibrary(i)
    registerResultsPlot(i)
    i.setGlobal("args", .list(arguments.map { .string($0) }))
    i.interrupted = { Interrupt.requested }
    return i
}

/// Ctrl-C, owned here: the SIGINT handler sets it; a running training stops at the end of its step, a
/// running loop stops with an error, and at the prompt it clears the line. Whoever starts work resets it.
enum Interrupt {
    nonisolated(unsafe) static var requested = false
    static func installHandler() { signal(SIGINT) { _ in Interrupt.requested = true } }
    static func reset() { requested = false }
}
