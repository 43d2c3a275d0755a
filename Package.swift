// swift-tools-version:6.0
// smear: white-blood-cell classification with unsupervised domain adaptation.
//
// Layout (docs/architecture.md): the core lives in its own package, Sources/SmearCore, whose one
// product is a dynamic library shared by the executable, the tests and the adaptation plugins.
import PackageDescription

let core = Target.Dependency.product(name: "SmearCore", package: "SmearCore")
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

/// The adaptation methods in plugins/<Name>/ (Method/: the Swift class, Plugin/: the C entry points). Each becomes
/// targets <Name>Method and <Name>Plugin and the library libSmear<Name>.so, which smear finds beside itself.
/// Adding a method: its folder, and its name here.
let methods = ["MDD", "DANN", "EntMin", "IM", "MCC", "MME"]
let methodTargets: [Target.Dependency] = methods.map { .target(name: "\($0)Method") }

let package = Package(
    name: "smear",
    products: [
        .executable(name: "smear", targets: ["smear"]),
        .executable(name: "smear-bench", targets: ["smear-bench"]),
    ] + methods.map { .library(name: "Smear\($0)", type: .dynamic, targets: ["\($0)Plugin"]) },   // loaded with dlopen
    dependencies: [
        .package(path: "Sources/SmearCore"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "SmearLang", path: "Sources/SmearLang"),
        .target(name: "SmearPlot", path: "Sources/SmearPlot"),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(name: "smear",
                          dependencies: ["SmearLang", "SmearPlot", "CEditLine", .product(name: "SmearCore", package: "SmearCore"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/smear"),
        // The machine's FMA peak, for smear-bench's efficiency figures.
        .target(name: "CBenchKernels", path: "Sources/CBenchKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .executableTarget(name: "smear-bench",
                          dependencies: [.product(name: "SmearCore", package: "SmearCore"), "CBenchKernels", "MDDMethod"],
                          path: "Sources/smear-bench",
                          swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
    ] + methods.flatMap { name -> [Target] in
        [.target(name: "\(name)Method", dependencies: [core], path: "plugins/\(name)/Method", swiftSettings: fast),
         .target(name: "\(name)Plugin", dependencies: [.target(name: "\(name)Method"), core], path: "plugins/\(name)/Plugin")]
    } + [
        .target(name: "SmearTestSupport",
                dependencies: [.product(name: "SmearCore", package: "SmearCore")],
                path: "Tests/SmearTestSupport"),
        .testTarget(name: "SmearTensorTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearTensorTests"),
        .testTarget(name: "SmearDataTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearDataTests"),
        .testTarget(name: "SmearAdaptTests",
                    dependencies: ["SmearTestSupport", core] + methodTargets,
                    path: "Tests/SmearAdaptTests"),
        .testTarget(name: "SmearTrainTests",
                    dependencies: ["SmearTestSupport", core] + methodTargets,
                    path: "Tests/SmearTrainTests"),
        .testTarget(name: "SmearLangTests", dependencies: ["SmearLang"], path: "Tests/SmearLangTests",
                    exclude: ["Scripts"]),
        // Runs the built executable; depends on it so that `swift build --build-tests` builds it first.
        .testTarget(name: "SmearCLITests", dependencies: ["smear", core], path: "Tests/SmearCLITests"),
        .testTarget(name: "SmearPlotTests", dependencies: ["SmearPlot"], path: "Tests/SmearPlotTests"),
        .testTarget(name: "SmearNNTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearNNTests"),
    ],
    swiftLanguageModes: [.v5]
)
