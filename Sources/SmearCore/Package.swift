// swift-tools-version:6.0
// The smear core: tensors with reverse-mode autodiff on OpenBLAS (SmearTensor), the neural-network
// layer, model, loss, optimiser and checkpoint API (SmearNN), and images and datasets (SmearData).
//
// It is a package of its own, with one *dynamic* product, because the `smear` executable and every
// adaptation plugin must share a single copy of the core's type metadata (docs/architecture.md, "Why the core is a separate package"): SwiftPM links
// a target of the same package statically, so a core inside the root package would be duplicated.
import PackageDescription

let optimise: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "SmearCore",
    products: [
        .library(name: "SmearCore", type: .dynamic, targets: ["SmearTensor", "SmearNN", "SmearData", "SmearMetrics", "SmearAdapt", "SmearTrain"]),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // oneDNN (libdnnl-dev): convolution, batch norm and pooling kernels behind a plain-C layer.
        .target(name: "CDNNL", path: "CDNNL", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("dnnl")]),
        // Kernels written in C for the vector units (AVX-512, AVX2 or baseline, chosen at load time).
        .target(name: "CKernels", path: "CKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "SmearTensor", dependencies: ["COpenBLAS", "CDNNL", "CKernels"], path: "SmearTensor",
                swiftSettings: optimise),
        .target(name: "SmearNN", dependencies: ["SmearTensor"], path: "SmearNN",
                swiftSettings: optimise),
        // libjpeg-turbo (libjpeg-dev) behind a setjmp error manager.
        .target(name: "CJPEG", path: "CJPEG", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("jpeg")]),
        // libpng and libtiff (libpng-dev, libtiff-dev) for the PNG and TIFF files microscopes export.
        .target(name: "CImageFormats", path: "CImageFormats", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("tiff")]),
        .target(name: "SmearData", dependencies: ["SmearTensor", "CJPEG", "CImageFormats"], path: "SmearData",
                swiftSettings: optimise),
        .target(name: "SmearMetrics", dependencies: ["SmearTensor"], path: "SmearMetrics", swiftSettings: optimise),
        // The plugin API: what an adaptation method sees (plugins import this and the layers, nothing else).
        .target(name: "SmearAdapt", dependencies: ["SmearTensor", "SmearNN"], path: "SmearAdapt", swiftSettings: optimise),
        // Runs: the training loop, checkpoints, history, selection, evaluation, AdaBN.
        .target(name: "SmearTrain", dependencies: ["SmearTensor", "SmearNN", "SmearData", "SmearMetrics", "SmearAdapt"],
                path: "SmearTrain", swiftSettings: optimise),
    ],
    swiftLanguageModes: [.v5]
)
