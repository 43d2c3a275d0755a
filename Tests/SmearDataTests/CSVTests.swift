// CSV as RFC 4180: fields with commas, quotes and line breaks are quoted when written and read back whole;
// CRLF and LF records read alike; a broken quote is an error with its line.
import Foundation
import SmearData
import XCTest

final class CSVTests: XCTestCase {
    func testField_quotesOnlyWhatMustBeQuoted() {
        XCTAssertEqual(CSV.field("basophil"), "basophil")
        XCTAssertEqual(CSV.field("baso,phil"), "\"baso,phil\"")
        XCTAssertEqual(CSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSV.field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSV.field("cr\r"), "\"cr\r\"")
        XCTAssertEqual(CSV.row(["a", "b,c", ""]), "a,\"b,c\",\n")
    }

    func testWrittenRows_readBackWhole() throws {
        let rows = [["image", "label"], ["/x/a,b.jpg", "baso,phil"], ["/x/\"q\".jpg", "mono\ncyte"], ["", "plain"], ["cr\r\n", "x"]]
        let parsed = try CSV.parse(rows.map(CSV.row).joined())
        XCTAssertEqual(parsed.map(\.fields), rows)
        XCTAssertEqual(parsed.map(\.line), [1, 2, 3, 5, 6], "a record's line counts the line breaks inside quoted fields before it")
    }

    func testCRLFAndLF_readAlike_andEmptyLinesAreKept() throws {
        XCTAssertEqual(try CSV.parse("a,b\r\nc,d\r\n").map(\.fields), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(try CSV.parse("a,b\nc,d").map(\.fields), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(try CSV.parse("a\n\nb\n").map(\.fields), [["a"], [""], ["b"]])
    }

    func testBrokenQuotes_areErrorsWithTheirLine() {
        XCTAssertThrowsError(try CSV.parse("a,b\n\"never closed,c\n")) { e in
            XCTAssertEqual(e as? CSV.ParseError, CSV.ParseError(line: 2, reason: "a quoted field never closes"))
        }
        XCTAssertThrowsError(try CSV.parse("a\n\"x\"y,z\n")) { e in XCTAssertEqual((e as? CSV.ParseError)?.line, 2) }
    }
}
