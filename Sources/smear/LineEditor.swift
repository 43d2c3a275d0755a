// Reading input lines: libedit on a terminal (history, TAB completion), plain lines otherwise.
@preconcurrency import CEditLine
import Foundation

protocol LineEditor {
    func readLine(prompt: String) -> String?
    func addHistory(_ entry: String)
    func save()
}

/// Plain standard input (pipes, CI, scripts fed on stdin): no prompt, no editing.
struct PlainLineEditor: LineEditor {
    func readLine(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
    func addHistory(_ entry: String) {}
    func save() {}
}

/// Completion candidates for the word being typed, given the whole line so far.
nonisolated(unsafe) var completionProvider: ((String, String) -> [String])?
nonisolated(unsafe) var completionMatches: [String] = []

/// libedit's readline generator: state 0 computes the matches, then one strdup'ed match per call.
private let completionGenerator: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { text, state in
    if state == 0 {
        let word = text.map { String(cString: $0) } ?? ""
        let line = smear_line_buffer().map { String(cString: $0) } ?? ""
        completionMatches = completionProvider?(word, line) ?? []
    }
    let i = Int(state)
    guard i < completionMatches.count else { return nil }
    return strdup(completionMatches[i])
}

private let attemptedCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, _ in
    smear_completion_matches(text, completionGenerator)
}

/// libedit line editing with a persistent history file.
final class LibEditLineEditor: LineEditor {
    let historyFile: String

    init(historyFile: String) {
        self.historyFile = historyFile
        // libedit decodes multibyte input (and completes non-ASCII paths) only under a UTF-8 locale; with
        // the C locale it drops "ü" from "Zürich". Use the user's locale, or C.UTF-8 when it is plain C.
        if let current = setlocale(LC_CTYPE, ""), !String(cString: current).uppercased().contains("UTF") {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
        stifle_history(2000)
        _ = read_history(historyFile)
        smear_set_completion(attemptedCompletion)
        smear_disable_default_completion()
    }

    func readLine(prompt: String) -> String? {
        guard let p = readline(prompt) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Adds the entry and writes the history file at once, so a crash or a kill loses no history.
    func addHistory(_ entry: String) { _ = add_history(entry); save() }

    func save() { _ = write_history(historyFile) }
}
