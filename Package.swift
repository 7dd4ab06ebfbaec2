// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "orch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "orch", targets: ["orch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "COrchShim"),
        .target(name: "OrchSystem", dependencies: ["COrchShim"]),
        .target(name: "OrchConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "OrchCore", dependencies: ["OrchConfig"]),
        .target(name: "OrchProtocol"),
        .target(name: "OrchClient", dependencies: ["OrchProtocol", "OrchSystem"]),
        .target(name: "OrchRuntime", dependencies: ["OrchCore", "OrchConfig", "OrchSystem", "OrchProtocol", "OrchClient"]),
        .executableTarget(
            name: "orch",
            dependencies: [
                "OrchRuntime", "OrchConfig", "OrchCore", "OrchSystem", "OrchProtocol", "OrchClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "OrchConfigTests", dependencies: ["OrchConfig"]),
        .testTarget(name: "OrchCoreTests", dependencies: ["OrchCore", "OrchConfig"]),
        .testTarget(name: "OrchSystemTests", dependencies: ["OrchSystem"]),
        .testTarget(name: "OrchEndToEndTests", dependencies: ["OrchSystem"]),
    ],
    swiftLanguageModes: [.v6]
)
