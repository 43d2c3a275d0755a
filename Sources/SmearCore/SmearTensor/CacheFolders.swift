// Where smear keeps what it computes or converts once: one rule for every cache.
//   statistics (channel statistics, backgrounds): $SMEAR_CACHE, else $XDG_CACHE_HOME/smear, else ~/.cache/smear
//   pretrained weights (scripts/weights fills it): $SMEAR_WEIGHTS, else $XDG_CACHE_HOME/smear/weights, else ~/.cache/smear/weights
// An empty variable counts as unset. Nothing here creates a folder; the writers do.
import Foundation

public enum CacheFolders {
    /// The folder for derived values such as each lab's channel statistics.
    public static func statistics(environment env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        setting("SMEAR_CACHE", env) ?? userCache(env)
    }

    /// The folder scripts/weights converts pretrained weights into.
    public static func weights(environment env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        setting("SMEAR_WEIGHTS", env) ?? userCache(env).appendingPathComponent("weights")
    }

    /// $XDG_CACHE_HOME/smear, else ~/.cache/smear (the XDG base-directory rule).
    static func userCache(_ env: [String: String]) -> URL {
        (setting("XDG_CACHE_HOME", env) ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache"))
            .appendingPathComponent("smear")
    }

    private static func setting(_ name: String, _ env: [String: String]) -> URL? {
        guard let value = env[name], !value.isEmpty else { return nil }
        return URL(fileURLWithPath: value)
    }

    /// A name from a dataset made safe for a cache file's name: letters, digits, `.`, `_` and `-` kept, anything
    /// else `_`, at most 64 characters (the file name also carries a hash of the full file list, so two names
    /// that clean to the same text never share an entry).
    public static func fileNamePart(_ name: String) -> String {
        let kept = name.unicodeScalars.map { s -> Character in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "." || s == "_" || s == "-")) ? Character(s) : "_"
        }
        let cleaned = String(kept.prefix(64))
        return cleaned.hasPrefix(".") ? "_" + cleaned.dropFirst() : cleaned
    }
}
