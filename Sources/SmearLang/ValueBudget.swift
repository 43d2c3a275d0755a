// The most a script may build in one value: a list of 10,000,000 elements, a string of 100,000,000 bytes (about
// 0.2–1 GB each). A loop that doubles a list stops with this error instead of taking the machine's memory.
public enum ValueBudget {
    public static let maximumListLength = 10_000_000
    public static let maximumStringBytes = 100_000_000

    /// `count` elements for a list that `what` builds, or an error at the limit.
    public static func checkList(_ count: Int, _ what: String) throws {
        guard count <= maximumListLength else {
            throw LanguageError(.value, "\(what) would hold \(count) elements, more than the 10,000,000 a list may hold",
                                hint: "build it in parts, or use a tensor")
        }
    }

    /// A string of `bytes` UTF-8 bytes that `what` builds, or an error at the limit.
    public static func checkString(_ bytes: Int, _ what: String) throws {
        guard bytes <= maximumStringBytes else {
            throw LanguageError(.value, "\(what) would be \(bytes) bytes long, more than the 100,000,000 a string may hold")
        }
    }
}
