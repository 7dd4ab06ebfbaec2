// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "orch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "orch", targets: ["orch"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "COrchShim"),
        .target(name: "OrchLimits"),
        // libyaml from the system: `apt-get install libyaml-dev` (Debian, Ubuntu), `brew install libyaml`.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .target(name: "OrchSystem", dependencies: ["COrchShim", "CLibYAML"]),
        .target(name: "OrchConfig", dependencies: ["OrchLimits", "OrchSystem"]),
        .target(name: "OrchCore", dependencies: ["OrchConfig"]),
        .target(name: "OrchProtocol", dependencies: ["OrchLimits"]),
        .target(name: "OrchClient", dependencies: ["OrchProtocol", "OrchSystem"]),
        .target(name: "OrchRuntime", dependencies: ["OrchLimits", "OrchCore", "OrchConfig", "OrchSystem", "OrchProtocol"]),
        // The command line as tables: parser, help, completions, man page. No reflection.
        .target(name: "OrchCLI", dependencies: ["OrchLimits", "OrchSystem"]),
        .executableTarget(
            name: "orch",
            dependencies: [
                "OrchCLI", "OrchRuntime", "OrchConfig", "OrchCore", "OrchSystem", "OrchProtocol", "OrchClient",
            ],
            // A release binary keeps its debug information (SwiftPM builds it with -g,
            // and backtraces use it) but compressed, as distributions ship it: 6.5 MB of
            // DWARF becomes 2 MB. Never loaded at run time, so start-up is the same.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--compress-debug-sections=zlib"], .when(platforms: [.linux], configuration: .release))]
        ),
        .testTarget(name: "OrchConfigTests", dependencies: ["OrchConfig", "OrchLimits"], exclude: ["Golden"]),
        .testTarget(name: "OrchCoreTests", dependencies: ["OrchCore", "OrchConfig"]),
        .testTarget(name: "OrchSystemTests", dependencies: ["OrchSystem"]),
        .testTarget(name: "OrchProtocolTests", dependencies: ["OrchProtocol"]),
        .testTarget(name: "OrchCLITests", dependencies: ["OrchCLI"]),
        .testTarget(name: "OrchEndToEndTests", dependencies: ["OrchSystem", "OrchProtocol"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets, only when Fuzz/run.sh builds them (ORCH_FUZZ=1, with
// -sanitize=fuzzer): one executable per input orch reads from outside.
if Context.environment["ORCH_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["OrchConfig", "OrchSystem"], path: "Fuzz/Support"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("yaml", ["FuzzSupport", "OrchConfig"]),
        ("procfile", ["FuzzSupport", "OrchConfig"]),
        ("dotenv", ["FuzzSupport", "OrchConfig"]),
        ("interpolation", ["FuzzSupport", "OrchConfig"]),
        ("duration", ["FuzzSupport", "OrchConfig"]),
        ("signal", ["FuzzSupport", "OrchConfig"]),
        ("protocol", ["FuzzSupport", "OrchConfig", "OrchProtocol"]),
    ]
    for target in fuzzTargets {
        package.targets.append(.executableTarget(name: "fuzz-\(target.name)", dependencies: target.dependencies, path: "Fuzz/Targets/\(target.name)"))
    }
}
