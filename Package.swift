// swift-tools-version:6.0
// smear: white-blood-cell classification with unsupervised domain adaptation.
//
// Layout (README "Architecture"): the core lives in its own package, Sources/SmearCore, whose one
// product is a dynamic library shared by the executable, the tests and the adaptation plugins.
import PackageDescription

let package = Package(
    name: "smear",
    products: [
        .executable(name: "smear", targets: ["smear"]),
        .executable(name: "smear-bench", targets: ["smear-bench"]),
    ],
    dependencies: [
        .package(path: "Sources/SmearCore"),
    ],
    targets: [
        .executableTarget(name: "smear",
                          dependencies: [.product(name: "SmearCore", package: "SmearCore")],
                          path: "Sources/smear"),
        .executableTarget(name: "smear-bench",
                          dependencies: [.product(name: "SmearCore", package: "SmearCore")],
                          path: "Sources/smear-bench",
                          swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "SmearTestSupport",
                dependencies: [.product(name: "SmearCore", package: "SmearCore")],
                path: "Tests/SmearTestSupport"),
        .testTarget(name: "SmearTensorTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearTensorTests"),
        .testTarget(name: "SmearDataTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearDataTests"),
        .testTarget(name: "SmearNNTests",
                    dependencies: ["SmearTestSupport", .product(name: "SmearCore", package: "SmearCore")],
                    path: "Tests/SmearNNTests"),
    ],
    swiftLanguageModes: [.v5]
)
