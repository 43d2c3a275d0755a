// run.json is read back from disk, where a person or another program may have edited it: every number that
// sizes memory, indexes an array or feeds the optimiser is checked against the settings table's ranges before a
// network is built from it, so a damaged record is one clear error and never a trap.
import Foundation
import SmearData

extension RunRecord {
    /// What is wrong with this record, one line each (empty: it can be opened).
    public func problems() -> [String] {
        var out: [String] = []
        if !(1...Self.currentSchemaVersion).contains(schemaVersion) {
            let v = schemaVersion
            out.append("schemaVersion \(v) is not one this smear reads (1…\(Self.currentSchemaVersion)); a newer smear wrote it?")
        }
        let classes = config.network.classes
        if classes != source.classes.count {
            out.append("config.network.classes is \(classes) but the source has \(source.classes.count) classes")
        }
        for (role, d) in [("source", source), ("target", target)] + (validation.map { [("validation", $0)] } ?? [])
            + (labelledTarget.map { [("labelledTarget", $0)] } ?? []) + (pseudoLabelledTarget.map { [("pseudoLabelledTarget", $0)] } ?? [])
            + moreSources.enumerated().map({ ("moreSources[\($0.offset)]", $0.element.dataset) }) {
            if d.files.count != d.labels.count { out.append("\(role): \(d.files.count) files but \(d.labels.count) labels") }
            if let bad = d.labels.compactMap({ $0 }).first(where: { !(0..<max(d.classes.count, 1)).contains($0) }) {
                out.append("\(role): label \(bad) is not an index into its \(d.classes.count) classes")
            }
            if d.files.isEmpty { out.append("\(role): no images") }
            if ["labelledTarget", "pseudoLabelledTarget"].contains(role) || role.hasPrefix("moreSources"), d.labels.contains(where: { $0 == nil }) { out.append("\(role): an image without a label") }
            if role.hasPrefix("moreSources"), d.classes != source.classes { out.append("\(role): classes \(d.classes) differ from the source's") }
        }
        func whole(_ name: String, _ value: Int, _ setting: RunSetting.Key) {
            if case .whole(let range)? = RunSpec.settings.first(where: { $0.key == setting })?.kind, !range.contains(value) {
                out.append("config.\(name) is \(value), outside \(range.lowerBound)…\(range.upperBound)")
            }
        }
        whole("epochs", config.epochs, .epochs); whole("iterationsPerEpoch", config.iterationsPerEpoch, .iters)
        whole("batchSize", config.batchSize, .batch); whole("inputSize", config.inputSize, .size)
        whole("network.width", config.network.width, .width); whole("network.bottleneck", config.network.bottleneck, .bottleneck)
        whole("network.headWidth", config.network.headWidth, .head); whole("sourceCrop", config.sourceCrop, .sourceCrop)
        whole("targetCrop", config.targetCrop, .targetCrop); whole("randomCrop", config.randomCrop, .sourceCrop)
        for (i, lab) in moreSources.enumerated() where !SourceLab.crops.contains(lab.crop) { out.append("moreSources[\(i)].crop is \(lab.crop), outside 1…100000") }
        if !(1...100_000).contains(classes) { out.append("config.network.classes is \(classes), outside 1…100000") }
        if !(1...64).contains(config.workers) { out.append("config.workers is \(config.workers), outside 1…64") }
        if config.seed > UInt64(UInt32.max) { out.append("config.seed is \(config.seed), above \(UInt32.max)") }
        let finite: [(String, Float)] = [("momentum", config.momentum), ("weightDecay", config.weightDecay),
                                         ("backboneLRMultiplier", config.backboneLRMultiplier), ("sndTemperature", config.sndTemperature),
                                         ("schedule.lr", config.schedule.rate(iteration: 0, epoch: 0))]
        for (name, v) in finite where !v.isFinite || v < 0 { out.append("config.\(name) is \(v), not a finite number ≥ 0") }
        if !(0...10_000_000).contains(config.headOnlySteps) { out.append("config.headOnlySteps is \(config.headOnlySteps), outside 0…10000000") }
        if case .stepDecay(_, _, let every) = config.schedule, every < 1 { out.append("config.schedule.every is \(every), below 1") }
        if case .given(let w) = config.classWeighting, w.count != classes || !w.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            out.append("config.classWeighting gives \(w.count) weights for \(classes) classes, or one that is not finite and ≥ 0")
        }
        if let d = config.weightAverageDecay, !(0..<1).contains(d) { out.append("config.weightAverageDecay is \(d), outside [0, 1)") }
        if let s = config.hedJitter, !(0...0.5).contains(s) { out.append("config.hedJitter is \(s), outside 0…0.5") }
        if let t = config.consistencyThreshold, !(t > 0 && t <= 1) { out.append("config.consistencyThreshold is \(t), outside (0, 1]") }
        if let m = config.mixupAlpha, !(m > 0 && m <= 10) { out.append("config.mixupAlpha is \(m), outside (0, 10]") }
        if let s = config.spectrumTransferBeta, !(s > 0 && s <= 0.25) { out.append("config.spectrumTransferBeta is \(s), outside (0, 0.25]") }
        if let w = config.contrastiveWeight, !(w > 0 && w <= 10) { out.append("config.contrastiveWeight is \(w), outside (0, 10]") }
        if (config.contrastiveWeight != nil) != config.network.hasProjection {
            out.append("config.contrastiveWeight and config.network.projection come together")
        }
        if let p = config.mixStyleProbability, !(p > 0 && p <= 1) { out.append("config.mixStyleProbability is \(p), outside (0, 1]") }
        if let s = config.scaleJitter, !(s > 0 && s <= 1) { out.append("config.scaleJitter is \(s), outside (0, 1]") }
        if let e = config.labelSmoothing, !(e > 0 && e < 1) { out.append("config.labelSmoothing is \(e), outside (0, 1)") }
        if config.network.readsSizeCue && (config.cellCrop ?? .lab == .lab || config.network.bottleneck < 1) {
            out.append("config.network.sizeCue needs crops per image (config.cellCrop image or halfway) and a bottleneck")
        }
        for (role, s) in [("sourceStatistics", sourceStatistics), ("targetStatistics", targetStatistics)] {
            if s.mean.count != 3 || s.std.count != 3 || !(s.mean + s.std).allSatisfy(\.isFinite) || !s.std.allSatisfy({ $0 > 0 }) {
                out.append("\(role) must hold 3 finite means and 3 positive standard deviations")
            }
        }
        return out
    }
}
