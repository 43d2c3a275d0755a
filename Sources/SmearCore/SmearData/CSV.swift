// CSV as RFC 4180 defines it, the one place smear reads and writes it: a field holding a comma, a double quote,
// CR or LF is quoted and its quotes doubled; records end in CRLF or LF when read, LF when written. Foundation
// only: the image-list fuzz target builds it alone.
import Foundation

public enum CSV {
    /// A record and the line of the file it starts on (1-based).
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public init(line: Int, reason: String) { self.line = line; self.reason = reason }
        public var description: String { "line \(line): \(reason)" }
    }

    /// `field`, quoted when it must be.
    public static func field(_ text: String) -> String {
        let special = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        return special ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One record's line, with its LF.
    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }

    /// The records of `text`. A record of one empty field (an empty line) is kept, so callers can skip
    /// blank lines by their own rule; a quote that never closes or text after a closing quote is an error.
    public static func parse(_ text: String) throws -> [Record] {
        var records: [Record] = [], fields: [String] = [], field: [Unicode.Scalar] = []
        var line = 1, recordLine = 1, quoted = false, afterQuote = false
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func endField() { fields.append(String(String.UnicodeScalarView(field))); field = []; afterQuote = false }
        func endRecord() { endField(); records.append(Record(line: recordLine, fields: fields)); fields = [] }
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "," {
                endField()
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" { i += 1 }
                endRecord(); line += 1; recordLine = line
            } else if afterQuote {
                throw ParseError(line: line, reason: "text after a closing quote (a quote inside a field is written \"\")")
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw ParseError(line: recordLine, reason: "a quoted field never closes") }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRecord() }
        return records
    }
}
