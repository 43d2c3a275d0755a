// K classes. Datasets of image files: class folders, image lists / CSV files, unlabelled folders.
import Foundation
import SmearTensor

/// One image file and its class index (nil when unlabelled).
public struct Sample: Sendable, Equatable {
    public let path: URL
    public let label: Int?
    public init(path: URL, label: Int?) { self.path = path; self.label = label }
}

/// A list of image files with class indices into `classes`.
public struct ImageDataset: Sendable {
    public var name: String
    public var samples: [Sample]
    /// The class vocabulary: index → name.
    public var classes: [String]
    /// What the folder held that is not read, relative to its root: files that are not images, and
    /// folders inside class folders (class folders are read one level deep). Reported, never silent.
    public var skipped: [String] = []
    /// Class folders of the root that are not in the class list given, so not read (reported, never silent).
    public var foldersOutsideClasses: [String] = []

    public init(name: String, samples: [Sample], classes: [String]) {
        self.name = name; self.samples = samples; self.classes = classes
    }

    public var count: Int { samples.count }
    public var isLabelled: Bool { samples.allSatisfy { $0.label != nil } }

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "jpe", "png", "bmp", "tif", "tiff"]

    /// Image files of a folder (JPEG, PNG, BMP, TIFF by extension), sorted; hidden files (".name", such as
    /// macOS metadata) are left out silently.
    static func images(in folder: URL) -> [URL] { listing(folder).images }

    /// The images of a folder, and the other entries (non-image files, subfolders) by name.
    static func listing(_ folder: URL) -> (images: [URL], others: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().filter { !$0.hasPrefix(".") }
        var images: [URL] = [], others: [String] = []
        for n in names {
            let kind = FileKind.of(folder.appendingPathComponent(n).path)
            if kind == .regular && imageExtensions.contains((n as NSString).pathExtension.lowercased()) { images.append(folder.appendingPathComponent(n)) }
            else { others.append(kind == .directory ? n + "/" : kind == .regular ? n : n + " (not a regular file)") }
        }
        return (images, others)
    }

    /// An image folder with one subfolder per class (`<root>/<class>/<file>.jpg`).
    /// - Parameters:
    ///   - classes: the vocabulary (index order); folders outside it are ignored and classes without a
    ///     folder get no samples. Default: the subfolders, sorted.
    ///   - only: keep only these classes (a subset of the vocabulary; indices stay those of `classes`).
    ///   - allowNearMisses: read on even when a folder outside `classes` differs from a class only in case or a
    ///     plural "s" (`Basophil`, `lymphocytes`); by default that is an error, as it is most likely a misspelt class.
    public static func folder(_ root: URL, name: String? = nil, classes: [String]? = nil, only: [String]? = nil,
                              allowNearMisses: Bool = false) throws -> ImageDataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir) else { throw DatasetError.missingFolder(root.path) }
        guard isDir.boolValue else { throw DatasetError.notAFolder(root.path) }
        let subfolders = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted().filter {
            FileKind.of(root.appendingPathComponent($0).path) == .directory
        }
        let vocabulary = classes ?? subfolders
        let keep = Set(only ?? vocabulary)
        for c in keep where !vocabulary.contains(c) {
            throw DatasetError.vocabularyMismatch("class '\(c)' is not in the vocabulary \(vocabulary)")
        }
        let outside = subfolders.filter { !vocabulary.contains($0) }
        if !allowNearMisses {
            let near = nearMisses(outside, of: vocabulary)
            if !near.isEmpty {
                throw DatasetError.vocabularyMismatch("\(root.path): folder \(near.joined(separator: ", ")) is not in the class list, though its name is "
                    + "that class's but for case or a plural; rename the folder to the class's name, or allow it (smear train --allow-near-misses)")
            }
        }
        var samples: [Sample] = [], skipped: [String] = []
        for folder in subfolders {
            guard let index = vocabulary.firstIndex(of: folder), keep.contains(folder) else { continue }
            let (files, others) = listing(root.appendingPathComponent(folder))
            if files.isEmpty { throw DatasetError.emptyClassFolder(root.appendingPathComponent(folder).path) }
            samples += files.map { Sample(path: $0, label: index) }
            skipped += others.map { folder + "/" + $0 }
        }
        if samples.isEmpty {
            if subfolders.isEmpty && !images(in: root).isEmpty { throw DatasetError.imagesWithoutClassFolders(root.path) }
            throw DatasetError.noImages(root.path)
        }
        var d = ImageDataset(name: name ?? root.lastPathComponent, samples: samples, classes: vocabulary)
        d.skipped = skipped
        d.foldersOutsideClasses = outside
        return d
    }

    /// Each of `folders` that names a class of `vocabulary` but for case or a plural, as "'folder' (class 'name')".
    public static func nearMisses(_ folders: [String], of vocabulary: [String]) -> [String] {
        folders.compactMap { f in vocabulary.first { isNearMiss(f, of: $0) }.map { "'\(f)' (class '\($0)')" } }
    }

    /// `folder` names `className` but for letter case or a trailing "s"/"es".
    static func isNearMiss(_ folder: String, of className: String) -> Bool {
        let f = folder.lowercased(), c = className.lowercased()
        return folder != className && (f == c || f == c + "s" || f == c + "es" || f + "s" == c || f + "es" == c)
    }

    /// An unlabelled folder of images (searched recursively), such as an adaptation target.
    public static func unlabeled(_ root: URL, name: String? = nil, classes: [String] = []) throws -> ImageDataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.missingFolder(root.path)
        }
        var files: [URL] = []
        if let e = FileManager.default.enumerator(atPath: root.path) {
            for case let rel as String in e where imageExtensions.contains((rel as NSString).pathExtension.lowercased())
                && !(rel as NSString).lastPathComponent.hasPrefix(".") {
                files.append(root.appendingPathComponent(rel))
            }
        }
        if files.isEmpty { throw DatasetError.noImages(root.path) }
        files.sort { $0.path < $1.path }
        return ImageDataset(name: name ?? root.lastPathComponent, samples: files.map { Sample(path: $0, label: nil) }, classes: classes)
    }

    /// An image list (ImageList.parse: CSV with path and label columns, or `path label` lines); paths are
    /// relative to the list's folder and must exist.
    public static func list(_ file: URL, name: String? = nil, classes: [String]? = nil) throws -> ImageDataset {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch { throw DatasetError.missingFolder(file.path) }
        let parsed = try ImageList.parse(text, file: file, classes: classes) { FileManager.default.fileExists(atPath: $0) }
        return ImageDataset(name: name ?? file.deletingPathExtension().lastPathComponent,
                            samples: parsed.rows.map { Sample(path: $0.path, label: $0.label) }, classes: parsed.vocabulary)
    }

    /// Several labelled sources as one (the article trains on Acevedo_20 + Matek_19 together); labels are
    /// mapped by class name onto the union vocabulary (the first dataset's order, then new names).
    public static func combined(_ sets: [ImageDataset], name: String? = nil) -> ImageDataset {
        var vocabulary: [String] = []
        for s in sets { for c in s.classes where !vocabulary.contains(c) { vocabulary.append(c) } }
        var samples: [Sample] = []
        for s in sets {
            samples += s.samples.map { Sample(path: $0.path, label: $0.label.flatMap { vocabulary.firstIndex(of: s.classes[$0]) }) }
        }
        return ImageDataset(name: name ?? sets.map(\.name).joined(separator: "+"), samples: samples, classes: vocabulary)
    }

    /// The same images labelled in `vocabulary`'s order, each label mapped by its class name (a model's output
    /// index means a class of the model's list, not of the dataset's). A class of the dataset that has images but
    /// no place in `vocabulary` is refused with both lists; unlabelled images stay unlabelled.
    public func mapped(onto vocabulary: [String]) throws -> ImageDataset {
        if classes == vocabulary { return self }
        let used = Set(samples.compactMap(\.label)).sorted().map { classes[$0] }
        let unknown = used.filter { !vocabulary.contains($0) }
        guard unknown.isEmpty else {
            let near = unknown.compactMap { u in vocabulary.first { $0.lowercased() == u.lowercased() || $0.lowercased() + "s" == u.lowercased() }.map { "\(u) ~ \($0)" } }
            throw DatasetError.vocabularyMismatch("dataset \(name) has classes the model does not know: \(unknown.joined(separator: ", ")) "
                + "(dataset: \(classes.joined(separator: ", ")); model: \(vocabulary.joined(separator: ", ")))"
                + (near.isEmpty ? "" : "; near misses: \(near.joined(separator: ", ")) — rename the folders or pass classes="))
        }
        let index = classes.map { vocabulary.firstIndex(of: $0) }
        return ImageDataset(name: name, samples: samples.map { Sample(path: $0.path, label: $0.label.flatMap { index[$0] }) }, classes: vocabulary)
    }

    /// Samples per class index (unlabelled samples are not counted).
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for s in samples { if let l = s.label, l < counts.count { counts[l] += 1 } }
        return counts
    }

    /// Inverse-frequency class weights normalised to sum 1 (algorithms.md §1.5); absent classes get 0.
    public func inverseFrequencyWeights() -> [Float] {
        let inv = classCounts.map { $0 > 0 ? 1 / Double($0) : 0 }
        let total = inv.reduce(0, +)
        return inv.map { Float(total > 0 ? $0 / total : 0) }
    }

    /// Keeps the samples of the named classes (the vocabulary is unchanged).
    public func restricted(to names: [String]) -> ImageDataset {
        let keep = Set(names.compactMap { classes.firstIndex(of: $0) })
        return ImageDataset(name: name, samples: samples.filter { $0.label.map(keep.contains) ?? false }, classes: classes)
    }

    /// Splits once with `seed` into (first, second) with `fraction` of each class in the first part
    /// (stratified; unlabelled samples are split as one group).
    public func split(fraction: Double, seed: UInt64) -> (ImageDataset, ImageDataset) {
        var rng = RandomGenerator(seed: seed)
        var groups: [Int: [Sample]] = [:]
        for s in samples { groups[s.label ?? -1, default: []].append(s) }
        var first: [Sample] = [], second: [Sample] = []
        for (_, members) in groups.sorted(by: { $0.key < $1.key }) {
            var g = members
            rng.shuffle(&g)
            let n = Int((Double(g.count) * fraction).rounded())
            first += g[..<n]; second += g[n...]
        }
        return (ImageDataset(name: name + "[\(fraction)]", samples: first, classes: classes),
                ImageDataset(name: name + "[\(1 - fraction)]", samples: second, classes: classes))
    }

    /// Decodes every file's header and data and reports the unreadable ones; `progress` gets
    /// (files done, total) from the calling thread every 500 files.
    public func scan(progress: ((Int, Int) -> Void)? = nil) -> [(path: String, error: String)] {
        var bad: [(String, String)?] = []
        let block = 500
        for start in stride(from: 0, to: samples.count, by: block) {
            let end = min(samples.count, start + block)
            // Each file's outcome as a value (decoding errors are the result here, not a failure of the scan).
            bad += (try? ParallelMap.map(end - start) { k -> (String, String)? in
                let sample = samples[start + k]
                do { _ = try JPEG.decode(sample.path, scaleDenominator: 8); return nil } catch { return (sample.path.path, "\(error)") }
            }) ?? []
            progress?(end, samples.count)
        }
        return bad.compactMap { $0 }.map { (path: $0.0, error: $0.1) }
    }

    /// The entries that were not read, each with the reason (see `skipped`).
    public var skippedWithReasons: [(path: String, reason: String)] {
        skipped.map { (path: $0, reason: $0.hasSuffix("/") ? "skipped: a folder inside a class folder (class folders are read one level deep)"
                                                            : "skipped: not an image file (JPEG, PNG, BMP, TIFF)") }
    }

    /// This dataset without unreadable files, or an error listing them (`skipUnreadable: false`).
    public func checked(skipUnreadable: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> ImageDataset {
        let bad = scan(progress: progress)
        if bad.isEmpty { return self }
        if !skipUnreadable { throw DatasetError.unreadableImages(dataset: name, files: bad.map { "\($0.error)" }) }
        let badPaths = Set(bad.map(\.path))
        var d = ImageDataset(name: name, samples: samples.filter { !badPaths.contains($0.path.path) }, classes: classes)
        d.skipped = skipped
        d.foldersOutsideClasses = foldersOutsideClasses
        return d
    }

    /// One line per class with its count.
    public var summary: String {
        let counts = classCounts
        let parts = classes.enumerated().map { "\($0.element) \(counts[$0.offset])" }
        let unlabelled = samples.filter { $0.label == nil }.count
        return "\(name): \(count) images" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
            + (unlabelled > 0 && !parts.isEmpty ? ", \(unlabelled) unlabelled" : "")
            + (skipped.isEmpty ? "" : "; \(skipped.count) entries not read (scan() lists them): " + skipped.prefix(3).joined(separator: ", ")
                + (skipped.count > 3 ? ", …" : ""))
    }
}
