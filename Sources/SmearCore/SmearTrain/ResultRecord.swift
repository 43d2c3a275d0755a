// result.json: what a script reports of one run, in one typed, versioned record that every script writes through the
// language's write_result and every reader (plot_results, the table makers) reads through `ResultRecord.read`. The
// file may hold more fields (a script's own); these are the ones everything relies on. Records written before the
// version existed are migrated on reading, in `migrated(_:)`, the one place that knows their layouts.
import Foundation
import SmearTensor

public struct ResultRecord: Codable, Equatable, Sendable {
    public static let currentVersion = 1
    public var version: Int
    /// The target lab: its folder's name (never a machine's path).
    public var target: String
    /// The adaptation method's name.
    public var method: String
    /// What else distinguishes the run's setting in tables ("measured", "lab_mean_image", …; nil: the script's default).
    public var setting: String?
    public var seed: Int?
    /// Target macro F1 over the classes in its labels: the final iterate, on the target cells not labelled (nil: the
    /// target has no labels).
    public var macroF1Present: Double?
    /// The same with the batch-norm statistics recomputed on the target (AdaBN), when measured.
    public var macroF1PresentAdaBN: Double?
    /// What computed it (write_result adds it; nil in records written before it did).
    public var machine: MachineRecord?

    enum CodingKeys: String, CodingKey {
        case version, target, method, setting, seed, machine
        case macroF1Present = "macro_f1_present", macroF1PresentAdaBN = "macro_f1_present_adabn"
    }

    public init(target: String, method: String, setting: String? = nil, seed: Int? = nil, macroF1Present: Double?,
                macroF1PresentAdaBN: Double? = nil, machine: MachineRecord? = nil) {
        version = Self.currentVersion
        self.target = URL(fileURLWithPath: target).lastPathComponent
        self.method = method; self.setting = setting; self.seed = seed
        self.macroF1Present = macroF1Present; self.macroF1PresentAdaBN = macroF1PresentAdaBN; self.machine = machine
    }

    /// The fields a script must give, by their JSON names (macro_f1_present may be nil).
    public static let requiredFields = ["target", "method", "macro_f1_present"]

    /// The record of a result.json's bytes: this version, or a layout written before it (migrated); nil when the file
    /// is no result record.
    public static func read(_ data: Data) -> ResultRecord? {
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        if json["version"] != nil { return try? JSONDecoder().decode(ResultRecord.self, from: data) }
        return migrated(json)
    }

    /// The layouts before version 1: scripts/adapt's (the F1 at the top, the stain and HED jitter as its setting) and the
    /// lab experiment grid's (the F1 of the final checkpoint on the test half, crops and variant as its setting).
    static func migrated(_ json: [String: Any]) -> ResultRecord? {
        guard let target = json["target"] as? String else { return nil }
        let seed = (json["seed"] as? Double).map(Int.init)
        if let f1 = json["macro_f1_present"] as? Double {
            let stain = (json["stain"] as? String).flatMap { $0 == "nil" ? nil : $0 }
            let hed = (json["hed_jitter"] as? Double).flatMap { $0 > 0 ? $0 : nil }
            let setting = [stain, hed.map { "HED \($0)" }].compactMap { $0 }.joined(separator: " + ")
            return ResultRecord(target: target, method: "adapt", setting: setting.isEmpty ? nil : setting, seed: seed, macroF1Present: f1,
                                macroF1PresentAdaBN: json["macro_f1_present_adabn"] as? Double)
        }
        guard let method = json["method"] as? String, let checkpoints = json["checkpoints"] as? [[String: Any]],
              let last = checkpoints.first(where: { ($0["checkpoint"] as? String) == "latest" }),
              let f1 = last["test_macro_f1_present"] as? Double else { return nil }
        let setting = [json["crops"] as? String, json["variant"] as? String].compactMap { $0 }.filter { $0 != "mixed" }
        return ResultRecord(target: target, method: method, setting: setting.isEmpty ? nil : setting.joined(separator: ", "), seed: seed,
                            macroF1Present: f1)
    }

    /// The label a table or plot gives the record's row: the method, and its setting in parentheses.
    public var label: String { method + (setting.map { " (\($0))" } ?? "") }
}
