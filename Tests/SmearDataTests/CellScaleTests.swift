// Cell scale: the central nucleus found by optical density, its diameter under resizing and re-colouring,
// agreement with diameters measured by eye, and crops matched in either direction.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class CellScaleTests: XCTestCase {
    // MARK: Otsu and the mask on drawn images

    /// Three equal lumps at bins 20, 120 and 220: the thresholds fall in the gaps between them.
    func testOtsu_threeLumps_thresholdsInTheGaps() {
        var h = [Int](repeating: 0, count: 256)
        for centre in [20, 120, 220] { for d in -5...5 { h[centre + d] = 10 } }
        let t = Otsu.thresholds(h, classes: 3)
        XCTAssertTrue((25..<115).contains(t[0]), "\(t)"); XCTAssertTrue((125..<215).contains(t[1]), "\(t)")
        XCTAssertTrue((25..<115).contains(Otsu.thresholds(Array(h[0..<121]) + [Int](repeating: 0, count: 135), classes: 2)[0]))
    }

    /// A frame of `side` px: pale background, pink red cells around, and a dark purple nucleus made of
    /// discs (centre x, centre y, radius in px).
    func drawnFrame(side: Int, nucleus: [(Double, Double, Double)], redCells: Bool = true) -> FloatImage {
        var img = FloatImage(width: side, height: side, data: [Float](repeating: 0, count: side * side * 3))
        let s = Double(side)
        let reds = redCells ? [(0.12, 0.12), (0.88, 0.15), (0.15, 0.85), (0.85, 0.88), (0.5, 0.1), (0.1, 0.5)] : []
        for y in 0..<side { for x in 0..<side {
            let (px, py) = (Double(x), Double(y))
            var rgb: [Float] = [0.96, 0.90, 0.82]
            if reds.contains(where: { hypot(px - $0.0 * s, py - $0.1 * s) < 0.09 * s }) { rgb = [0.85, 0.62, 0.64] }
            if nucleus.contains(where: { hypot(px - $0.0, py - $0.1) < $0.2 }) { rgb = [0.35, 0.18, 0.52] }
            for c in 0..<3 { img[x, y, c] = rgb[c] }
        } }
        return img
    }

    /// A round nucleus of radius 30 px in a 200 px frame: diameter 0.30, to within a pixel of blur.
    func testDrawnRoundNucleus_diameterIsItsOwn() throws {
        let mask = try XCTUnwrap(NucleusMask.find(in: drawnFrame(side: 200, nucleus: [(100, 100, 30)])))
        XCTAssertEqual(mask.equivalentDiameter, 0.30, accuracy: 0.01)
    }

    /// Two lobes 8 px apart (4% of the frame, inside the 5% closing) are one nucleus; a nucleus off centre
    /// that is nearest the centre is still the one chosen over a red cell.
    func testDrawnLobes_joinedIntoOneNucleus() throws {
        let lobes = drawnFrame(side: 200, nucleus: [(80, 100, 16), (120, 100, 16)])
        let mask = try XCTUnwrap(NucleusMask.find(in: lobes))
        let lobeArea = 2 * Double.pi * 16 * 16
        XCTAssertGreaterThan(Double(mask.area), lobeArea, "the gap between the lobes is filled")
        XCTAssertLessThan(Double(mask.area), 1.3 * lobeArea)
        XCTAssertNil(NucleusMask.find(in: drawnFrame(side: 200, nucleus: [], redCells: false)), "a blank frame has no nucleus")
    }

    // MARK: Real images: resizing and re-colouring

    /// Every other bundled image of `lab` (about 40), decoded as CellScale.measure does (shorter side ≥ 128 px).
    func sampleImages(_ lab: String) throws -> [FloatImage] {
        let set = try ImageDataset.folder(sampleDirectory.appendingPathComponent(lab))
        return try Swift.stride(from: 0, to: set.count, by: 2).map { try Self.decoded(set.samples[$0].path) }
    }

    static func decoded(_ path: URL) throws -> FloatImage {
        let size = try JPEG.size(of: path)
        return FloatImage(try JPEG.decode(path, scaleDenominator: JPEG.scaleDenominator(side: min(size.width, size.height), minimumSide: 128)))
    }

    func median(_ images: [FloatImage], _ transform: (FloatImage) -> FloatImage = { $0 }, pixels: Bool = false) -> Double {
        let d = images.compactMap { img -> Double? in
            let t = transform(img)
            return NucleusMask.find(in: t).map { $0.equivalentDiameter * (pixels ? Double(min(t.width, t.height)) : 1) }
        }.sorted()
        return d[d.count / 2]
    }

    /// Half the size: resized to 0.5× the nucleus measures 0.5× in pixels; shrunk to 0.5× inside a frame of
    /// the original size (background colour around: the cells half as large in the frame) it measures 0.5×
    /// as a fraction of the frame. Both within 5%, on the bundled PBC and BCCD images.
    func testHalfSize_measuresHalf() throws {
        for lab in ["pbc_barcelona", "bccd"] {
            let images = try sampleImages(lab)
            let base = median(images, pixels: true), fraction = median(images)
            let resized = median(images, { $0.resized(w: $0.width / 2, h: $0.height / 2) }, pixels: true)
            XCTAssertEqual(resized / base, 0.5, accuracy: 0.025, "\(lab): \(base) px → \(resized) px")
            let zoomedOut = median(images, { Self.shrunkInFrame($0) })
            XCTAssertEqual(zoomedOut / fraction, 0.5, accuracy: 0.025, "\(lab): \(fraction) → \(zoomedOut) of the frame")
        }
    }

    /// The image at half size in the middle of a frame of its own size, filled with its border's median colour.
    static func shrunkInFrame(_ image: FloatImage) -> FloatImage {
        let small = image.resized(w: image.width / 2, h: image.height / 2)
        var border: [[Float]] = [[], [], []]
        for x in 0..<image.width { for c in 0..<3 { border[c] += [image[x, 0, c], image[x, image.height - 1, c]] } }
        let fill = border.map { $0.sorted()[$0.count / 2] }
        var out = FloatImage(width: image.width, height: image.height,
                             data: (0..<(image.width * image.height * 3)).map { fill[$0 % 3] })
        let (x0, y0) = ((image.width - small.width) / 2, (image.height - small.height) / 2)
        for y in 0..<small.height { for x in 0..<small.width { for c in 0..<3 { out[x0 + x, y0 + y, c] = small[x, y, c] } } }
        return out
    }

    /// Another lab's colours: PBC moved to BCCD's L*a*b* statistics and BCCD to PBC's (Reinhard), and the hue
    /// of everything but the nucleus turned by 120° and 180° (red cells and background grey-blue or green):
    /// the median diameter moves by less than 10%.
    func testRecoloured_measuresTheSame() throws {
        let pbc = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let bccd = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"))
        let (pbcLab, bccdLab) = (try ChannelStatistics.compute(pbc, space: .lab), try ChannelStatistics.compute(bccd, space: .lab))
        for (lab, transfer) in [("pbc_barcelona", ReinhardTransfer(from: pbcLab, to: bccdLab)),
                                ("bccd", ReinhardTransfer(from: bccdLab, to: pbcLab))] {
            let images = try sampleImages(lab), base = median(images)
            var rng = RandomGenerator(seed: 0)
            let moved = median(images) { var t = $0; transfer.apply(&t, &rng); return t }
            XCTAssertEqual(moved / base, 1, accuracy: 0.10, "\(lab) Reinhard: \(base) → \(moved)")
            for degrees in [120.0, 180.0] {
                let turned = median(images) { Self.hueTurnedOutsideNucleus($0, degrees: degrees) }
                XCTAssertEqual(turned / base, 1, accuracy: 0.10, "\(lab) hue \(degrees)°: \(base) → \(turned)")
            }
        }
    }

    /// Rotates the hue of every pixel outside the image's own central nucleus (Rodrigues rotation about grey).
    static func hueTurnedOutsideNucleus(_ image: FloatImage, degrees: Double) -> FloatImage {
        guard let mask = NucleusMask.find(in: image) else { return image }
        let a = Float(degrees * Double.pi / 180), (c, s) = (cos(a), sin(a))
        let k: Float = 1 / 3, r = (1 - c) * k, q = s * (1 / Float(3).squareRoot())
        let m: [Float] = [c + r, r - q, r + q, r + q, c + r, r - q, r - q, r + q, c + r]
        var out = image
        for i in 0..<(image.width * image.height) where !mask.inside[i] {
            let v = (0..<3).map { image.data[3 * i + $0] }
            for row in 0..<3 { out.data[3 * i + row] = min(1, max(0, m[3 * row] * v[0] + m[3 * row + 1] * v[1] + m[3 * row + 2] * v[2])) }
        }
        return out
    }

    // MARK: Against diameters measured by eye

    /// Tests/Fixtures/hand_measured_nuclei.csv: 20 images per lab measured by eye on tick-marked contact
    /// sheets. The median of smear's estimates agrees with the median by eye within 15% on every lab whose
    /// images are here (PBC and BCCD ship in data/sample; tecom_jiangxi and cellavision_blog are read from
    /// ../shared/data/wbc when present, as on CI).
    func testMedianDiameter_agreesWithMeasurementsByEye() throws {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent("hand_measured_nuclei.csv"), encoding: .utf8)
        var byLab: [String: [(String, Double)]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("lab,") {
            let f = line.split(separator: ",").map(String.init)
            byLab[f[0], default: []].append((f[1], Double(f[2])!))
        }
        let shared = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/wbc")
        var checked = 0
        for (lab, rows) in byLab.sorted(by: { $0.key < $1.key }) {
            let root = ["pbc_barcelona", "bccd"].contains(lab) ? sampleDirectory : shared
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent(lab).path) else { continue }
            let ours = try rows.map { row -> Double in
                let img = try Self.decoded(root.appendingPathComponent(lab).appendingPathComponent(row.0))
                return try XCTUnwrap(NucleusMask.find(in: img), "\(lab)/\(row.0)").equivalentDiameter
            }.sorted()
            let byEye = rows.map(\.1).sorted()
            XCTAssertEqual(ours[10] / byEye[10], 1, accuracy: 0.15, "\(lab): smear \(ours[10]), by eye \(byEye[10])")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 2, "the bundled labs are always checked")
    }

    // MARK: Matched crops

    /// Crops that give both labs nucleus / crop = 0.52, or the larger of the two labs' whole-frame ratios.
    func testMatchedCrops_zoomWhicheverSideHasSmallerCells() {
        typealias M = CellScale.Measurement
        let pbc = M(diameter: 0.289, side: 360)
        // The reference's PBC crop comes back (0.289 × 360 / 0.52 = 200).
        XCTAssertEqual(CellScale.matchedCrops(source: pbc, target: pbc).source, 200)
        // A target with nuclei 0.38 of a 120 px frame: zoomed in to 0.38 × 120 / 0.52 = 88 px.
        XCTAssertEqual(CellScale.matchedCrops(source: pbc, target: M(diameter: 0.38, side: 120)).target, 88)
        // A target whose nuclei fill 0.60 of the frame keeps it whole; the source is cropped to match.
        let tight = CellScale.matchedCrops(source: pbc, target: M(diameter: 0.60, side: 222))
        XCTAssertEqual(tight.target, 222); XCTAssertEqual(tight.source, Int((0.289 * 360 / 0.60).rounded()))
        // Cells half as large in the target's frame: the target is zoomed, never the source out of its frame.
        let small = CellScale.matchedCrops(source: pbc, target: M(diameter: 0.145, side: 224))
        XCTAssertEqual(small.source, 200); XCTAssertEqual(small.target, Int((0.145 * 224 / 0.52).rounded()))
        XCTAssertNotNil(CellScale.upsamplingWarning(crop: small.target, workingSize: 64, lab: "target"), "62 px < 64 px is said")
        XCTAssertNil(CellScale.upsamplingWarning(crop: 200, workingSize: 64, lab: "source"))
    }

    /// Further labs (a run's more_sources) are cropped at the scale the pair was matched at, never changing the pair's crops.
    func testMatchedCrops_furtherLabs_followThePairsScale() {
        typealias M = CellScale.Measurement
        let pbc = M(diameter: 0.289, side: 360), tecom = M(diameter: 0.38, side: 120)
        let others = [M(diameter: 0.26, side: 300), M(diameter: 0.60, side: 222)]
        // 0.26 × 300 / 0.52 = 150 px; a lab whose nuclei fill 0.60 of its frame keeps the frame (222), the pair stays 200 / 88.
        XCTAssertEqual(CellScale.matchedCrops(others, source: pbc, target: tecom), [150, 222])
        XCTAssertEqual(CellScale.matchedCrops(source: pbc, target: tecom).source, 200)
        // The pair matched at 0.60 (a tight target): a further lab at 0.26 of 300 px is cropped to 0.26 × 300 / 0.60 = 130.
        XCTAssertEqual(CellScale.matchedCrops([others[0]], source: pbc, target: others[1]), [130])
        XCTAssertEqual(CellScale.matchedCrops([], source: pbc, target: tecom), [])
    }
}
