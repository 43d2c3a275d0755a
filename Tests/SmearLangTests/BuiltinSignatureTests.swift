// A builtin's signature is the one declaration of its parameters: their names (keyword checks), their
// defaults (the argument accessors fall back on them) and its documentation.
import SmearLang
import XCTest

final class BuiltinSignatureTests: XCTestCase {
    func run(_ source: String, with builtin: Builtin) throws -> String {
        let i = Interpreter()
        var printed: [String] = []
        i.output = { printed.append($0) }
        i.register(builtin)
        try i.run(source)
        return printed.joined(separator: "\n")
    }

    /// f(a, b=2, c="x", d=true, e=nil): b, c and d come from the signature when not given; e has no value to give.
    func testDefaults_comeFromTheSignature() throws {
        let f = Builtin("f", "f(a, b=2, c=\"x\", d=true, e=nil)", help: "test") { a in
            .string("\(try a.int(0, "a")) \(try a.number(1, "b")) \(try a.string(2, "c")) \(try a.bool(3, "d")) \(a.value(4, "e") == nil)")
        }
        XCTAssertEqual(f.defaults.count, 4)
        XCTAssertEqual(try run("print(f(1))", with: f), "1 2.0 x true true")
        XCTAssertEqual(try run("print(f(1, c=\"y\", d=false, b=3))", with: f), "1 3.0 y false true")
        XCTAssertThrowsError(try run("f()", with: f)) { XCTAssertTrue("\($0)".contains("needs the number argument 'a'"), "\($0)") }
        XCTAssertThrowsError(try run("f(1, z=2)", with: f)) { XCTAssertTrue("\($0)".contains("has no argument 'z'"), "\($0)") }
        XCTAssertThrowsError(try run("f(1, b=\"no\")", with: f)) { XCTAssertTrue("\($0)".contains("'b' must be a number"), "\($0)") }
    }

    /// Only literals are defaults; text such as "0.1 or a dataset" documents without declaring, and several
    /// forms ("range(stop) or range(start, stop, step=1)") contribute their defaults.
    func testOnlyLiteralsAreDefaults_andEveryFormCounts() {
        let g = Builtin("g", "g(x=0.1 or a dataset, y=-1, z=\"a b\") or g(w=false)", help: "test") { _ in .none }
        XCTAssertNil(g.defaults["x"])
        if case .number(let y)? = g.defaults["y"] { XCTAssertEqual(y, -1) } else { XCTFail("y") }
        if case .string(let z)? = g.defaults["z"] { XCTAssertEqual(z, "a b") } else { XCTFail("z") }
        if case .bool(let w)? = g.defaults["w"] { XCTAssertFalse(w) } else { XCTFail("w") }
    }
}
