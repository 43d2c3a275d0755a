// Adaptation methods as dynamically loaded plugins (docs/architecture.md, "Why the core is a separate package").
//
// A plugin is a shared library linked against the shared core (libSmearCore.so). It exports two C
// symbols: `smear_plugin_abi_version` (returns `pluginABIVersion`) and `smear_plugin_descriptor`
// (returns a +1 retained MethodDescriptor as an opaque pointer). The host dlopens it with
// RTLD_NOW | RTLD_LOCAL, checks the version, takes the descriptor and never dlcloses it.
import Foundation
import SmearNN
import SmearTensor

/// Bumped whenever AdaptationMethod, StepContext, MethodOutput or MethodDescriptor change.
public let pluginABIVersion: Int32 = 4   // 2: MethodOption gained range and whole; 3: MethodOptions, throwing transferLoss;
                                         // 4: makeClassifier, StepContext.head

public enum PluginError: Error, CustomStringConvertible, Equatable {
    case notFound(name: String, searched: [String])
    case openFailed(path: String, reason: String)
    case missingSymbol(path: String, symbol: String)
    case abiMismatch(path: String, plugin: Int32, host: Int32)
    case unknownOption(method: String, option: String, known: [String])
    case badOptionValue(method: String, option: String, value: Double, allowed: String)
    case unknownMethod(String, known: [String])
    case missingModule(name: String, known: [String])

    public var description: String {
        switch self {
        case .notFound(let n, let s):
            return "no plugin '\(n)': looked for lib\(n).so or libSmear\(n).so (any case) in "
                + s.joined(separator: ", ") + ". Build it (swift build -c release) or add its folder to SMEAR_PLUGIN_PATH."
        case .openFailed(let p, let r): return "cannot load plugin \(p): \(r)"
        case .missingSymbol(let p, let s):
            return "\(p) is not a smear plugin: it has no symbol \(s). A plugin exports smear_plugin_abi_version and smear_plugin_descriptor (README, Writing a plugin)."
        case .abiMismatch(let p, let plugin, let host):
            return "plugin \(p) was built for plugin ABI \(plugin), this smear has ABI \(host); rebuild the plugin against this smear."
        case .unknownOption(let m, let o, let known): return "method \(m) has no option '\(o)' (options: \(known.joined(separator: ", ")))"
        case .badOptionValue(let m, let o, let v, let allowed): return "method \(m): option \(o) = \(v) is not allowed; it takes \(allowed)"
        case .unknownMethod(let n, let known): return "unknown method '\(n)' (available: \(known.joined(separator: ", ")))"
        case .missingModule(let n, let known):
            return "the method asked for its module '\(n)', which makeModules did not create (it made: \(known.joined(separator: ", ")))"
        }
    }
}

/// Methods by name: built-ins registered in-process (also used by unit tests) and plugins loaded from disk.
public final class MethodRegistry: @unchecked Sendable {
    public static let shared = MethodRegistry()
    private var methods: [String: MethodDescriptor] = ["source_only": SourceOnly.descriptor]
    private var handles: [String: UnsafeMutableRawPointer] = [:]   // kept open for the life of the process
    private let lock = NSLock()

    public init() {}

    public func register(_ d: MethodDescriptor) { lock.lock(); methods[d.name] = d; lock.unlock() }

    public var names: [String] { lock.lock(); defer { lock.unlock() }; return methods.keys.sorted() }

    public func descriptor(_ name: String) -> MethodDescriptor? { lock.lock(); defer { lock.unlock() }; return methods[name] }

    /// The plugin search path: $SMEAR_PLUGIN_PATH (colon-separated), then `plugins/` beside the
    /// executable, then the executable's folder (where `swift build` puts the plugin libraries).
    public static var searchPath: [String] {
        (ProcessInfo.processInfo.environment["SMEAR_PLUGIN_PATH"] ?? "").split(separator: ":").map(String.init) + executableFolders
    }

    /// `plugins/` beside the executable, then the executable's folder: where the plugins built with smear are.
    static var executableFolders: [String] {
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        let exeDir = Bundle.main.executableURL?.deletingLastPathComponent() ?? exe
        return [exeDir.appendingPathComponent("plugins").path, exeDir.path]
    }

    /// Whether a file name is the plugin `name`: lib<name>.so or libSmear<name>.so, ignoring case
    /// ("mdd" matches libSmearMDD.so, "entmin" libSmearEntMin.so).
    static func matches(_ file: String, _ name: String) -> Bool {
        let f = file.lowercased(), n = name.lowercased()
        return f == "lib\(n).so" || f == "libsmear\(n).so"
    }

    /// Plugin names on the search path, loaded or not: lib<name>.so / libSmear<name>.so files, lowercased.
    /// (The executable's folder holds other libraries too; only files that export a plugin load.)
    /// The methods that come with smear: source only (built in) and every libSmear<Name>.so built beside the
    /// executable (or in its plugins/ folder), by name; what help lists. Found, not listed: a new method needs no
    /// entry here.
    public static var bundledMethods: [String] {
        var names: [String] = []
        for dir in executableFolders {
            for file in libraries(in: dir) where file.hasPrefix("libSmear") && file != "libSmearCore.so" {
                let name = String(file.dropFirst("libSmear".count).dropLast(".so".count)).lowercased()
                if !names.contains(name) { names.append(name) }
            }
        }
        return ["source_only"] + names.sorted()
    }

    public static var availableNames: [String] {
        var names: [String] = []
        for dir in searchPath {
            for file in Self.libraries(in: dir) {
                var n = file.lowercased().dropFirst(3).dropLast(3)
                guard file.lowercased().hasPrefix("lib") else { continue }
                if n.hasPrefix("smear") { n = n.dropFirst(5) }
                if !n.isEmpty, n != "core", !names.contains(String(n)) { names.append(String(n)) }
            }
        }
        return names
    }

    /// The descriptor of `name`: registered already, or found on the search path and loaded.
    public func method(_ name: String) throws -> MethodDescriptor {
        if let d = descriptor(name) { return d }
        let path = Self.searchPath
        for dir in path {
            let files = Self.libraries(in: dir)
            if let file = files.first(where: { Self.matches($0, name) }) {
                return try load(path: (dir as NSString).appendingPathComponent(file))
            }
        }
        throw PluginError.notFound(name: name, searched: path)
    }

    /// The `.so` files of a search-path folder, sorted; entries that are not regular files (a FIFO, a device)
    /// are skipped without being opened, and a path that is not a folder has none.
    static func libraries(in dir: String) -> [String] {
        guard FileKind.of(dir) == .directory else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().filter {
            $0.hasSuffix(".so") && FileKind.of((dir as NSString).appendingPathComponent($0)) == .regular
        }
    }

    /// Loads a plugin library from a file path and registers its method.
    @discardableResult
    public func load(path: String) throws -> MethodDescriptor {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw PluginError.openFailed(path: path, reason: String(cString: dlerror()))
        }
        guard let versionSymbol = dlsym(handle, "smear_plugin_abi_version") else {
            throw PluginError.missingSymbol(path: path, symbol: "smear_plugin_abi_version")
        }
        let version = unsafeBitCast(versionSymbol, to: (@convention(c) () -> Int32).self)()
        guard version == pluginABIVersion else { throw PluginError.abiMismatch(path: path, plugin: version, host: pluginABIVersion) }
        guard let entry = dlsym(handle, "smear_plugin_descriptor") else {
            throw PluginError.missingSymbol(path: path, symbol: "smear_plugin_descriptor")
        }
        guard let raw = unsafeBitCast(entry, to: (@convention(c) () -> UnsafeMutableRawPointer?).self)() else {
            throw PluginError.openFailed(path: path, reason: "its smear_plugin_descriptor() returned NULL instead of a method descriptor")
        }
        let descriptor = Unmanaged<MethodDescriptor>.fromOpaque(raw).takeRetainedValue()
        lock.lock(); handles[descriptor.name] = handle; methods[descriptor.name] = descriptor; lock.unlock()
        return descriptor
    }
}
