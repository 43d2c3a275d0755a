// A run's progress on standard output: the reporter both front ends give the trainer.
import Foundation
import SmearTrain

enum TerminalProgress {
    nonisolated(unsafe) static var lastPlainLine = Date.distantPast

    /// A live line on a terminal (rewritten in place); elsewhere a plain line at most every 10 s.
    static func report(_ line: String, live: Bool) {
        let terminal = isatty(1) != 0
        if live {
            if terminal { print("\r\u{1B}[K" + line, terminator: ""); fflush(stdout) }
            else if Date().timeIntervalSince(lastPlainLine) > 10 { print(line); lastPlainLine = Date() }
        } else {
            print((terminal ? "\r\u{1B}[K" : "") + line)
        }
    }
}

extension Trainer {
    /// This trainer, reporting on the terminal.
    func reportingOnTerminal() -> Trainer { report = TerminalProgress.report; return self }
}
