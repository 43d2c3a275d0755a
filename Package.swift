// swift-tools-version:6.0
// smear: white-blood-cell classification with unsupervised domain adaptation.
//
// Layout (README "Architecture"): the core lives in its own package, Sources/SmearCore, whose one
// product is a dynamic library shared by the executable, the tests and the adaptation plugins.
import PackageDescription

let core = Target.Dependency.product(name: "SmearCore", package: "SmearCore")
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "smear",
    products: [
        .executable(name: "smear", targets: ["smear"]),
        .executable(name: "smear-bench", targets: ["smear-bench"]),
        // Adaptation methods, loaded at run time with dlopen (plugins/; README "Writing a plugin").
        .library(name: "SmearMDD", type: .dynamic, targets: ["MDDPlugin"]),
        .library(name: "SmearDANN", type: .dynamic, targets: ["DANNPlugin"]),
        .library(name: "SmearEntMin", type: .dynamic, targets: ["EntMinPlugin"]),
        .library(name: "SmearMME", type: .dynamic, targets: ["MMEPlugin"]),
        .library(name: "SmearIM", type: .dynamic, targets: ["IMPlugin"]),
        .library(name: "SmearMCC", type: .dynamic, targets: ["MCCPlugin"]),
    ],
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
        .target(name: "MDDMethod", dependencies: [core], path: "plugins/MDD/Method", swiftSettings: fast),
        .target(name: "MDDPlugin", dependencies: ["MDDMethod", core], path: "plugins/MDD/Plugin"),
        .target(name: "DANNMethod", dependencies: [core], path: "plugins/DANN/Method", swiftSettings: fast),
        .target(name: "DANNPlugin", dependencies: ["DANNMethod", core], path: "plugins/DANN/Plugin"),
        .target(name: "EntMinMethod", dependencies: [core], path: "plugins/EntMin/Method", swiftSettings: fast),
        .target(name: "EntMinPlugin", dependencies: ["EntMinMethod", core], path: "plugins/EntMin/Plugin"),
        .target(name: "MMEMethod", dependencies: [core], path: "plugins/MME/Method", swiftSettings: fast),
        .target(name: "MMEPlugin", dependencies: ["MMEMethod", core], path: "plugins/MME/Plugin"),
        .target(name: "IMMethod", dependencies: [core], path: "plugins/IM/Method", swiftSettings: fast),
        .target(name: "IMPlugin", dependencies: ["IMMethod", core], path: "plugins/IM/Plugin"),
        .target(name: "MCCMethod", dependencies: [core], path: "plugins/MCC/Method", swiftSettings: fast),
        .target(name: "MCCPlugin", dependencies: ["MCCMethod", core], path: "plugins/MCC/Plugin"),
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
                    dependencies: ["SmearTestSupport", "MDDMethod", "DANNMethod", "EntMinMethod", "IMMethod", "MCCMethod", "MMEMethod", core],
                    path: "Tests/SmearAdaptTests"),
        .testTarget(name: "SmearTrainTests",
                    dependencies: ["SmearTestSupport", "MDDMethod", "DANNMethod", "EntMinMethod", "IMMethod", "MCCMethod", "MMEMethod", core],
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
