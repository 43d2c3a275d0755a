// Images per second of decode + augment + batch for a lab folder (default: the PBC domain).
import Foundation
import SmearData
import SmearTensor

func benchLoader(folder: URL, sizes: [Int], batches: Int) {
    guard let ds = try? ImageDataset.folder(folder) else { print("loader: cannot read \(folder.path)"); return }
    for size in sizes {
        let p = ImagePipeline.articleTraining(crop: 300, outputSize: size, mean: [0.87, 0.74, 0.72], std: [0.16, 0.19, 0.08])
        let loader = DataLoader(ds, pipeline: p, batchSize: 32, seed: 1, workers: Parallel.threads)
        do {
            _ = try loader.batch(epoch: 0, index: 0)
            let t0 = Date()
            for b in 1...batches { _ = try loader.batch(epoch: 0, index: b % loader.batchesPerEpoch) }
            let dt = Date().timeIntervalSince(t0)
            print(String(format: "loader %dpx b32 (%@, %d images, article augmentations, %d threads): smear %.1f img/s",
                         size, ds.name, ds.count, Parallel.threads, Double(batches * 32) / dt))
        } catch { print("loader: \(error)") }
    }
}
