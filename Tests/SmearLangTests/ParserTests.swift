// Parser details the REPL relies on: incomplete input, locations and carets.
import SmearLang
import XCTest

final class ParserTests: XCTestCase {
    func incompleteness(_ source: String) -> LanguageError.Kind? {
        do { _ = try Parser.parse(source); return nil } catch let e as LanguageError { return e.kind } catch { return nil }
    }

    func testOpenBlocksAndBrackets_areIncomplete_notErrors() {
        XCTAssertEqual(incompleteness("for x in [1, 2] {"), .incomplete)
        XCTAssertEqual(incompleteness("train(net,\n  epochs=3"), .incomplete)
        XCTAssertEqual(incompleteness("x = {lr: 0.1,"), .incomplete)
        XCTAssertEqual(incompleteness("fn f(a) {\n  return a"), .incomplete)
        XCTAssertNil(incompleteness("fn f(a) {\n  return a\n}"))
        XCTAssertEqual(incompleteness("x = )"), .syntax)
    }

    func testErrors_renderTheLineWithACaret() {
        let source = "a = 1\nb = a +* 2"
        do { _ = try Parser.parse(source); XCTFail("expected a syntax error") } catch let e as LanguageError {
            XCTAssertEqual(e.location, SourceLocation(line: 2, column: 8))
            XCTAssertEqual(e.rendered(sourceText: source), "2:8: syntax error: expected a value, found '*'\n    b = a +* 2\n           ^")
        } catch { XCTFail("\(error)") }
    }

    func testHelp_listsBuiltins_andShowsOneWithExample() throws {
        let i = Interpreter()
        let all = try i.run("help()")
        XCTAssertTrue(all?.description.contains("range(stop)") ?? false)
        let one = try i.run("help(range)")?.description ?? ""
        XCTAssertTrue(one.hasPrefix("range(stop) or range(start, stop, step=1)"))
        XCTAssertTrue(one.contains("example:"))
    }

    /// A host value that counts how many of its kind are alive.
    final class Probe: ScriptObject {
        nonisolated(unsafe) static var alive = 0
        init() { Probe.alive += 1 }
        deinit { Probe.alive -= 1 }
        var typeName: String { "probe" }
        var summary: String { "<probe>" }
        var attributeNames: [String] { [] }
        func attribute(_ name: String) throws -> Value? { nil }
    }

    func testFunctionsAndTheScopesTheyCloseOver_areFreedWithTheInterpreter() throws {
        Probe.alive = 0
        do {
            let i = Interpreter()
            i.register(Builtin("probe", "probe()", help: "a counted host value") { _ in .object(Probe()) })
            // A named function in the scope it closes over, a closure returned from a call, a recursive one.
            try i.run("p = probe()\nfn f() { return p }")
            try i.run("fn make() { q = probe(); fn inner() { return q }; return inner }\ng = make()")
            try i.run("fn counter() { r = probe(); count = fn(n) { if n > 0 { return count(n - 1) }; return r }; return count }\nc = counter()\nc(3)")
            XCTAssertEqual(Probe.alive, 3)
        }
        XCTAssertEqual(Probe.alive, 0, "a function and its scope keep each other (and their values) alive")
    }

    func testSessionState_survivesAnError() throws {
        let i = Interpreter()
        try i.run("x = 41")
        XCTAssertThrowsError(try i.run("y = undefined_name"))
        XCTAssertEqual(try i.run("x + 1")?.description, "42")
    }

    func testNameChain_acceptsNamesAndAttributes_rejectsCallsAndExpressions() {
        for ok in ["run", "run.history", "_x1.y_2"] { XCTAssertTrue(Lexer.isNameChain(ok), ok) }
        for bad in ["", "train(pbc, bccd)", "a.b()", "x[0]", "1.5", "a..b", "a + b", "f(x).y"] {
            XCTAssertFalse(Lexer.isNameChain(bad), bad)
        }
    }
}
