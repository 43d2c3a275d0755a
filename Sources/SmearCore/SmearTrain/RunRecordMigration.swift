// Reading a run.json of any format smear has written: one migration brings an older record to the current format
// before it is decoded, so the record's types carry no optionals kept only for old files.
import Foundation

extension RunRecord {
    /// The format this smear writes. 1: before the field existed; 2: the same settings, versioned; 3: every setting
    /// written out (orientations, statistics region, input normalisation, stain bank, augmentations, backbone); 4: how
    /// the source's batches are drawn; 5: further labelled source labs; 6: head-only first steps.
    public static let currentSchemaVersion = 6

    /// A record from run.json's bytes, migrated to the current format first.
    public static func decode(_ data: Data) throws -> RunRecord {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "run.json is not valid JSON", underlyingError: error))
        }
        guard let json = parsed as? [String: Any] else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "run.json is not a JSON object"))
        }
        return try JSONDecoder().decode(RunRecord.self, from: JSONSerialization.data(withJSONObject: migrated(json)))
    }

    /// `json` in the current format. A setting a record of format 1 or 2 lacks did not exist when it was written, or
    /// was left out at its value that changes nothing; it takes that value, so the run reopens as it was trained.
    /// A newer format than this smear's is left as it is (`problems()` names it).
    public static func migrated(_ json: [String: Any]) -> [String: Any] {
        let version = json["schemaVersion"] as? Int ?? 1
        guard version < currentSchemaVersion, let config = json["config"] as? [String: Any] else { return json }
        var out = json
        out["config"] = migratedConfig(config)
        if out["moreSources"] == nil { out["moreSources"] = [Any]() }
        out["schemaVersion"] = currentSchemaVersion
        return out
    }

    /// A TrainingConfig's JSON (run.json's, or the copy each checkpoint keeps) with the settings older formats left
    /// out set to the values their runs had.
    static func migratedConfig(_ json: [String: Any]) -> [String: Any] {
        var config = json
        let unset: [String: Any] = ["dihedral": false, "statisticsRegion": "frame", "inputNormalization": "lab", "stainBank": false,
                                    "augmentation": "article", "sourceSampling": "shuffled", "headOnlySteps": 0]
        for (key, value) in unset where config[key] == nil { config[key] = value }
        if var network = config["network"] as? [String: Any] {
            if network["backbone"] == nil { network["backbone"] = "resnet18" }
            config["network"] = network
        }
        return config
    }
}
