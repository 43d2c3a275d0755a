// Time per op, forward and backward: the profile that says where a training step goes.
// Enabled with SMEAR_PROFILE=1 or `OpProfiler.isEnabled = true`; `OpProfiler.report()` prints the table.
import Foundation

public enum OpProfiler {
    nonisolated(unsafe) public static var isEnabled = ProcessInfo.processInfo.environment["SMEAR_PROFILE"] != nil
    nonisolated(unsafe) static var totals: [String: (seconds: Double, calls: Int)] = [:]
    nonisolated(unsafe) static var lastMark = DispatchTime.now().uptimeNanoseconds
    /// Ops run by VJPs are charged to the VJP, not to "forward".
    nonisolated(unsafe) static var inBackward = false

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Forward: the time since the previous op finished is charged to `op` (ops record when done).
    static func markForward(_ op: String) {
        if inBackward { return }
        let t = now()
        add("\(op) forward", Double(t &- lastMark) / 1e9)
        lastMark = t
    }

    static func add(_ key: String, _ seconds: Double) {
        let old = totals[key] ?? (0, 0)
        totals[key] = (old.seconds + seconds, old.calls + 1)
    }

    /// Starts a fresh measurement window.
    public static func reset() { totals = [:]; lastMark = now() }

    /// The table of time per op, largest first, divided by `steps`.
    public static func report(steps: Int = 1) -> String {
        let total = totals.values.reduce(0) { $0 + $1.seconds }
        func pad(_ s: String) -> String { s.padding(toLength: 28, withPad: " ", startingAt: 0) }
        var lines = [pad("op") + "    ms/step    calls   share"]
        for (key, v) in totals.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            lines.append(pad(key) + String(format: " %10.2f %8d %6.1f%%", v.seconds * 1000 / Double(steps),
                                           v.calls / max(steps, 1), 100 * v.seconds / max(total, 1e-12)))
        }
        lines.append(pad("total") + String(format: " %10.2f", total * 1000 / Double(steps)))
        return lines.joined(separator: "\n")
    }
}
