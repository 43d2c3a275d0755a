// Settings read from the environment, validated where they enter: a value out of range or not a number is
// ignored with one warning on standard error (the default applies), never converted blindly.
import Foundation

public enum EnvironmentSetting {
    /// The whole number in `name` when it lies in `range`; nil (with a warning) when it is set but is not such a
    /// number, nil (silently) when it is unset or empty.
    public static func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = ProcessInfo.processInfo.environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let n = Int(text), range.contains(n) else {
            FileHandle.standardError.write(Data("smear: warning: \(name)=\(text.prefix(40)) is not a whole number from \(range.lowerBound) to \(range.upperBound); ignored\n".utf8))
            return nil
        }
        return n
    }
}
