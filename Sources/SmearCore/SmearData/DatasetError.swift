// What can be wrong with a dataset: a missing folder, an empty class, a bad list line, unreadable images.
// Foundation only (the list parser's fuzz target builds it alone).
import Foundation

/// A dataset problem, naming the file, folder or line and what to do.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFolder(String)
    case emptyClassFolder(String)
    case noImages(String)
    case listLine(file: String, line: Int, reason: String)
    case unknownLabel(file: String, line: Int, label: String, known: [String])
    case missingFile(file: String, line: Int, path: String)
    case unreadableImages(dataset: String, files: [String])
    case vocabularyMismatch(String)
    case noNucleus(images: Int)
    case notAFolder(String)
    case imagesWithoutClassFolders(String)
    /// Macenko's stain vectors cannot be fitted from a lab's pixels (the reason says why).
    case stainFit(String)
    /// A dataset with no images where images are needed (an empty split or subset).
    case emptyDataset(name: String, use: String)

    public var description: String {
        switch self {
        case .missingFolder(let p): return "dataset folder \(p) does not exist"
        case .emptyClassFolder(let p): return "class folder \(p) has no images (JPEG, PNG, BMP, TIFF); add images or remove the folder"
        case .noImages(let p): return "no images (JPEG, PNG, BMP, TIFF) found in \(p)"
        case .notAFolder(let p): return "\(p) is a file, not a folder of class folders"
        case .imagesWithoutClassFolders(let p):
            return "\(p) holds images but no class subfolders: a labelled dataset is <folder>/<class>/<image>; for unlabelled images use unlabeled(\"\(p)\")"
        case .listLine(let f, let l, let r): return "\(f):\(l): \(r)"
        case .unknownLabel(let f, let l, let label, let known):
            return "\(f):\(l): unknown label '\(label)' (known: \(known.joined(separator: ", "))); fix the label or pass the class list"
        case .missingFile(let f, let l, let p): return "\(f):\(l): image \(p) does not exist"
        case .unreadableImages(let d, let files):
            return "dataset \(d): \(files.count) unreadable image(s): \(files.prefix(10).joined(separator: "; "))"
                + (files.count > 10 ? "; ..." : "") + ". Remove them, or leave them out (smear train --skip-unreadable)."
        case .vocabularyMismatch(let r): return r
        case .emptyDataset(let name, let use):
            return "dataset \(name) has no images, so it cannot be \(use); an empty split or subset? Check its fraction or classes"
        case .stainFit(let r): return "Macenko stain fit: \(r); use another stain setting (reinhard, lab_mean_image) for this lab"
        case .noNucleus(let n):
            return "cell scale: no stained nucleus found near the centre of any of \(n) images; are these single-cell crops of a stained smear? Give the crops by hand (source_crop, target_crop) instead"
        }
    }
}
