// The one place where text from users and datasets (titles, dataset, class and file names) enters a gnuplot
// script or data file. gnuplot runs the command in `...` on any script line, expands `@name` macros, ends a
// statement at a newline and continues a line after a trailing backslash; none of that may be reachable from a
// name, when smear runs the script or when a person re-runs the `.gp` file later.
import Foundation

public enum GnuplotText {
    /// Longest text drawn on a plot; longer text keeps its start and ends in "…".
    public static let maximumLength = 120

    /// `text` as a gnuplot double-quoted string literal. Every ASCII character other than letters, digits, space
    /// and the punctuation below is written as an octal escape (`\140` for a backtick, `\0012` for a newline,
    /// `\0042`, `\134`, `\100`, …; see `octal`), so the script line holds no backtick, quote, backslash-quote, `@`,
    /// `$` or control character of the name's own. Characters outside ASCII are kept: their UTF-8 bytes are
    /// never ASCII, so they cannot act as any of those.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in shortened(text).unicodeScalars {
            if scalar.value >= 0x80 || isPlain(scalar) { out.unicodeScalars.append(scalar) }
            else { out += "\\" + octal(UInt8(scalar.value)) }
        }
        return out + "\""
    }

    /// `text` for a `#` comment line of a data file: one line, control characters replaced by spaces.
    public static func comment(_ text: String) -> String {
        String(String.UnicodeScalarView(shortened(text).unicodeScalars.map {
            $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0
        }))
    }

    /// The first `maximumLength` characters of `text`, with "…" when it was longer.
    public static func shortened(_ text: String) -> String {
        text.count <= maximumLength ? text : String(text.prefix(maximumLength - 1)) + "…"
    }

    /// A colour given to gnuplot inside single quotes: only `#rrggbb` passes.
    public static func colour(_ hex: String) -> String? {
        let digits = hex.dropFirst()
        guard hex.hasPrefix("#"), digits.count == 6, digits.allSatisfy(\.isHexDigit) else { return nil }
        return hex
    }

    private static let plainPunctuation = Set(" !#%&()*+,-./:;<=>?[]^_{|}~'".unicodeScalars)

    private static func isPlain(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || plainPunctuation.contains(s)
    }

    /// gnuplot reads `\` + a digit 1–7 and at most two more octal digits, but `\0` + at most three more: a
    /// byte below 0o100 is written `\0ooo` so that a digit after it is never taken into the escape.
    private static func octal(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 8)
        return (byte < 0o100 ? "0" : "") + String(repeating: "0", count: 3 - digits.count) + digits
    }
}
