// smear: white-blood-cell classification with unsupervised domain adaptation.
//   smear                      the REPL (plain lines when standard input is not a terminal)
//   smear FILE.smear [args]    runs a script (`args` holds the arguments)
//   smear -e 'code'            runs one line and prints its value
//   smear train ...            one adaptation run as a fixed command (see smear train --help)
//   smear predict RUN IMAGES OUT  a saved run's predictions for images (see smear predict --help)
//   smear export RUN --onnx FILE  a saved run's classifier as an ONNX model (see smear export --help)
// Exit codes (sysexits): 64 usage, 65 script syntax error, 70 runtime error, 74 I/O error.
import ArgumentParser
import Foundation
import SmearAdapt
import SmearLang
import SmearTensor

let version = "0.2.0"
let usage = """
usage: smear                        interactive session (help() inside lists the builtins)
       smear FILE.smear [ARGS...]   run a script; its `args` variable holds ARGS
       smear -e 'CODE'              run one line and print its value
       smear train --source DIR --target DIR [--method \(MethodRegistry.bundledMethods.joined(separator: "|"))] ...  (smear train --help)
       smear predict RUN IMAGES OUT.csv [--checkpoint NAME] [--adabn] [--tta]   (smear predict --help)
       smear export RUN --onnx FILE.onnx [--checkpoint NAME]   (smear export --help)
       smear --version | --help

environment: SMEAR_PLUGIN_PATH (plugin folders), SMEAR_HISTORY (REPL history file), SMEAR_PLOTS (plot
folder, default plots/out), SMEAR_CACHE (dataset statistics), SMEAR_THREADS (threads for every kernel), SMEAR_BACKEND (dnnl, the
default, or blas), OPENBLAS_CORETYPE (when unset, smear picks the CPU's best OpenBLAS kernel)
"""

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("smear: \(message)\n".utf8))
    exit(code)
}

/// Runs source text as a script; errors go to stderr with their place and the exit code says what failed.
func runScript(_ text: String, name: String, arguments: [String], printValue: Bool) -> Never {
    Interrupt.installHandler()
    let interpreter = makeInterpreter(arguments: arguments)
    do {
        let value = try interpreter.run(text, name: name)
        if printValue, let value { if case .none = value {} else { print(value.description) } }
        exit(0)
    } catch let e as LanguageError {
        FileHandle.standardError.write(Data((e.rendered(sourceText: text) + "\n").utf8))
        switch e.kind {
        case .syntax, .incomplete: exit(65)
        case .io: exit(74)
        default: exit(70)
        }
    } catch {
        fail(ErrorText.oneLine(error), code: 70)
    }
}

/// Runs a swift-argument-parser subcommand: parse errors, --help and ValidationError go through ArgumentParser (usage
/// errors exit 64); any other failure exits 70 with its one-line message.
func runCommand<C: ParsableCommand>(_ type: C.Type, _ args: [String]) -> Never {
    Interrupt.installHandler()
    var parsed: ParsableCommand
    do { parsed = try C.parseAsRoot(args) } catch { C.exit(withError: error) }
    guard parsed is C else {   // --help: ArgumentParser's own help command
        do { try parsed.run(); exit(0) } catch { C.exit(withError: error) }
    }
    do { try parsed.run() }
    catch let e as ValidationError { C.exit(withError: e) }
    catch { fail(ErrorText.oneLine(error), code: 70) }
    exit(0)
}

BLASKernel.ensureBest()   // may re-execute this process once, with the CPU's best OpenBLAS kernel
setvbuf(stdout, nil, _IOLBF, 0)
var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else {
    Interrupt.installHandler()
    let interactive = isatty(0) != 0
    let ok = REPL(interpreter: makeInterpreter(), interactive: interactive).run()
    exit(ok || interactive ? 0 : 70)
}
args.removeFirst()
switch command {
case "--help", "-h": print(usage)
case "--version": print("smear \(version)\n\(ComputeBackend.summary)\nCPU \(CPUFeatures.current.summary)")
case "--reference":   // the builtin reference of docs/language.md, generated from the registered builtins
    let i = makeInterpreter()
    for name in i.builtins.keys.sorted() {
        guard let b = i.builtins[name] else { continue }
        print("### `\(b.signature)`\n\n\(b.help)\n" + (b.example.isEmpty ? "" : "\n```\n\(b.example)\n```\n"))
    }
case "-e":
    guard let code = args.first else { fail("-e needs code to run\n\(usage)", code: 64) }
    runScript(code, name: "-e", arguments: Array(args.dropFirst()), printValue: true)
case "train": runCommand(TrainCommand.self, args)
case "predict": runCommand(PredictCommand.self, args)
case "export": runCommand(ExportCommand.self, args)
default:
    if command.hasPrefix("-") { fail("unknown option '\(command)'\n\(usage)", code: 64) }
    guard let data = FileManager.default.contents(atPath: command) else {
        fail("cannot read script '\(command)' (no such file?); `smear --help` shows the usage", code: 74)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        fail("script '\(command)' is not UTF-8 text; save it as UTF-8", code: 74)
    }
    runScript(text, name: command, arguments: args, printValue: false)
}
