// Testing the messages of programmer errors (wrong shapes), which stop the process: the body runs in
// a forked child whose standard error is captured, and the parent checks the message.
import Foundation
import XCTest

/// Asserts that `body` stops the process with a message containing every string in `fragments`.
public func assertStops(withMessageContaining fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: @escaping () -> Void) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { XCTFail("pipe failed", file: file, line: line); return }
    fflush(stdout); fflush(stderr)
    let pid = fork()
    if pid == 0 {
        close(fds[0])
        dup2(fds[1], 2)
        body()
        _exit(0)   // reached only if body did not stop
    }
    close(fds[1])
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fds[0], &buffer, buffer.count)
        if n <= 0 { break }
        output.append(contentsOf: buffer[0..<n])
    }
    close(fds[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let text = String(decoding: output, as: UTF8.self)
    let exitedNormally = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
    XCTAssertFalse(exitedNormally, "expected the process to stop, it finished normally", file: file, line: line)
    for fragment in fragments {
        XCTAssertTrue(text.contains(fragment), "message \"\(text)\" lacks \"\(fragment)\"", file: file, line: line)
    }
}
