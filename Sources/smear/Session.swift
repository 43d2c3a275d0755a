// A scripting session: an interpreter with every library of the core registered.
import Foundation
import SmearLang

func makeInterpreter(arguments: [String] = []) -> Interpreter {
    let i = Interpreter()
    registerTensorLibrary(i)
    registerDataLibrary(i)
    registerTrainingLibrary(i)
    registerPlotLibrary(i)
    registerPictureLibrary(i)
    i.setGlobal("args", .list(arguments.map { .string($0) }))
    i.interrupted = { interruptRequested }
    return i
}

/// SIGINT: ask a running training to stop at the end of its step (and clear the line at the prompt).
func installInterruptHandler() {
    signal(SIGINT) { _ in interruptRequested = true }
}
