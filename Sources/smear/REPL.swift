// The interactive loop (lua.c's shape): read a line, keep reading while a block or bracket is open,
// run it, print the value; errors show the line and a caret and the session keeps its state.
import Foundation
import SmearLang
import SmearTensor

final class REPL {
    let interpreter: Interpreter
    let editor: LineEditor
    let interactive: Bool

    init(interpreter: Interpreter, interactive: Bool) {
        self.interpreter = interpreter
        self.interactive = interactive
        if interactive {
            let history = ProcessInfo.processInfo.environment["SMEAR_HISTORY"]
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".smear_history").path
            editor = LibEditLineEditor(historyFile: history)
            completionProvider = { [interpreter] word, line in REPL.completions(word: word, line: line, interpreter: interpreter) }
        } else {
            editor = PlainLineEditor()
        }
    }

    /// Builtins and variables; attributes after `name.`; file paths inside a string.
    static func completions(word: String, line: String, interpreter: Interpreter) -> [String] {
        let quotes = line.filter { $0 == "\"" }.count
        if quotes % 2 == 1 {   // inside a string: complete a path
            let dir = (word as NSString).deletingLastPathComponent, base = (word as NSString).lastPathComponent
            let folder = dir.isEmpty ? "." : dir
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter { $0.hasPrefix(base) && !$0.hasPrefix(".") }.sorted().map { name in
                let path = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
                return isDir.boolValue ? path + "/" : path
            }
        }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot]), prefix = String(word[word.index(after: dot)...])
            // Only look up names (never run a call, such as train(...), to complete after its dot).
            guard Lexer.isNameChain(base), let value = try? interpreter.run(base, name: "<completion>") else { return [] }
            let names: [String]
            switch value {
            case .object(let o): names = o.attributeNames
            case .record(let fields): names = fields.map(\.0)
            case .list, .string: names = ["length"]
            default: names = []
            }
            return names.filter { $0.hasPrefix(prefix) }.sorted().map { base + "." + $0 }
        }
        return Set(interpreter.globalNames).filter { $0.hasPrefix(word) }.sorted()
    }

    /// Reads and runs until end of input. Returns false when a statement failed (piped input then exits
    /// non-zero, as a script would).
    @discardableResult
    func run() -> Bool {
        var failed = false
        if interactive {
            print("smear \(version) — help() lists the builtins, help(name) shows one; Ctrl-D exits.")
            print(ComputeBackend.summary)
        }
        var buffer = ""
        while true {
            let prompt = buffer.isEmpty ? "smear> " : "  ...> "
            Interrupt.reset()
            guard let line = editor.readLine(prompt: prompt) else {
                if Interrupt.requested { buffer = ""; print(""); continue }   // Ctrl-C at the prompt clears the line
                break
            }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            if buffer.trimmingCharacters(in: .whitespaces).isEmpty { buffer = ""; continue }
            do { _ = try Parser.parse(buffer) } catch let e as LanguageError where e.kind == .incomplete { continue } catch {}
            editor.addHistory(buffer)
            do {
                if let value = try interpreter.run(buffer, name: interactive ? "<repl>" : "<stdin>") {
                    switch value {
                    case .none: break
                    case .builtin(let b): print(b.helpText)   // a bare `help` or `train` shows how to call it
                    default: print(value.description)
                    }
                }
            } catch let e as LanguageError {
                print(e.rendered(sourceText: buffer)); failed = true
            } catch {
                print("error: \(error)"); failed = true
            }
            buffer = ""
        }
        if !buffer.isEmpty {
            do { _ = try Parser.parse(buffer) } catch let e as LanguageError { print(e.rendered(sourceText: buffer)); failed = true } catch {}
        }
        editor.save()
        if interactive { print("") }
        return !failed
    }
}
