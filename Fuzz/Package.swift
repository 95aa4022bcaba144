// swift-tools-version: 6.2
import PackageDescription

/// libFuzzer targets for the parsers that read what others send Sextant: manifests, OIP v2
/// requests, HTTP requests to the gateway and model servers' answers to it. A package of
/// its own so that the main build never sees `-sanitize=fuzzer`: `scripts/fuzz` builds it
/// with the fuzzer and address sanitizers and runs every target (docs/fuzzing.md).
///
/// Each target defines `LLVMFuzzerTestOneInput` and no `main`: with `--sanitize fuzzer`
/// SwiftPM compiles executables as libraries and libFuzzer's runtime provides `main`.
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "sextant-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named: a path dependency is otherwise known by its directory's name, which is
        // whatever the checkout is called.
        .package(name: "sextant", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzManifest",
            dependencies: [
                .product(name: "SextantAPI", package: "sextant"),
                .product(name: "SextantYAML", package: "sextant"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzInference",
            dependencies: [
                .product(name: "SextantML", package: "sextant"),
                .product(name: "SextantServing", package: "sextant"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzGatewayRequest",
            dependencies: [
                .product(name: "SextantWire", package: "sextant"),
                .product(name: "SextantGateway", package: "sextant"),
                .product(name: "SextantHTTP", package: "sextant"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzModelServerRequest",
            dependencies: [
                .product(name: "SextantML", package: "sextant"),
                .product(name: "SextantServing", package: "sextant"),
                .product(name: "SextantHTTP", package: "sextant"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FuzzGatewayAnswer",
            dependencies: [
                .product(name: "SextantGateway", package: "sextant"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
