// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every target of ours: warnings are errors, and the upcoming
/// features that keep dependencies explicit.
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "sextant",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sextant", targets: ["sextant"]),
        // The libraries the fuzz targets in Fuzz/ drive: another package can depend on
        // products only. Their public API is all they use.
        .library(name: "SextantYAML", targets: ["SextantYAML"]),
        .library(name: "SextantAPI", targets: ["SextantAPI"]),
        .library(name: "SextantML", targets: ["SextantML"]),
        .library(name: "SextantWire", targets: ["SextantWire"]),
        .library(name: "SextantHTTP", targets: ["SextantHTTP"]),
        .library(name: "SextantServing", targets: ["SextantServing"]),
        .library(name: "SextantGateway", targets: ["SextantGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "SextantYAML",
            dependencies: ["CYAML"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantGit",
            dependencies: ["CGit2"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantAPI",
            dependencies: [
                "SextantYAML",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantSource",
            dependencies: [
                "SextantAPI", "SextantCore", "SextantGit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantML",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantWire",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantInference",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantMonitoring",
            dependencies: ["SextantInference", "SextantML", "SextantWire"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantCore",
            dependencies: [
                "SextantAPI",
                "SextantWire",
                "SextantYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantStore",
            dependencies: [
                "SextantCore",
                "SextantWire",
                "SextantAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The shared store of several daemons (DESIGN §12): PostgreSQL, with the lease and the fence.
        .target(
            name: "SextantPostgres",
            dependencies: [
                "SextantCore",
                "SextantAPI",
                "SextantWire",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantRuntime",
            dependencies: [
                "SextantCore",
                "SextantWire",
                "SextantAPI",
                "SextantML",
                "SextantInference",
                "SextantMonitoring",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantServing",
            dependencies: [
                "SextantInference",
                "SextantML",
                "SextantHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantGateway",
            dependencies: [
                "SextantWire",
                "SextantHTTP",
                "SextantInference",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantRay",
            dependencies: [
                "SextantAPI",
                "SextantCore",
                "SextantRayServe",
                "SextantWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantDashboard",
            dependencies: [
                "SextantAPI",
                "SextantCore",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantDaemon",
            dependencies: [
                "SextantAPI",
                "SextantCore",
                "SextantDashboard",
                "SextantHTTP",
                "SextantRuntime",
                "SextantStore",
                "SextantWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantCLI",
            dependencies: [
                "SextantAPI",
                "SextantCore",
                "SextantDaemon",
                "SextantGateway",
                "SextantGit",
                "SextantHTTP",
                "SextantML",
                "SextantMonitoring",
                "SextantPostgres",
                "SextantServing",
                "SextantRay",
                "SextantRuntime",
                "SextantSource",
                "SextantStore",
                "SextantWire",
                "SextantYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The built-in models' Ray Serve deployment (runtimes/ray/sextant_serve, Python):
        // its files embedded in the code, so any copy of the binary can upload them to Ray.
        .target(
            name: "SextantRayServe",
            path: "runtimes/ray",
            exclude: ["README.md"],
            sources: ["Swift"],
            // File by file, so that a __pycache__ left by a run from the source tree is not embedded.
            resources: ["__init__.py", "app.py", "asgi.py", "model.py", "request.py", "server.py"].map { .embedInCode("sextant_serve/\($0)") }
                // The wrapper that runs an external trainer as a Ray Job (RayTraining).
                + [.embedInCode("sextant_train/run.py")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sextant",
            dependencies: ["SextantCLI"],
            swiftSettings: strictSettings
        ),
        // bench/gateway's measuring stick: a byte relay with nothing but SwiftNIO in it.
        .executableTarget(
            name: "nio-relay",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "bench/nio-relay",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantTestSupport",
            dependencies: [
                "SextantCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/SextantTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantYAMLTests",
            dependencies: ["SextantYAML"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantGitTests",
            dependencies: ["SextantGit", "SextantTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantAPITests",
            dependencies: ["SextantAPI", "SextantYAML", "SextantTestSupport"],
            exclude: ["BadInput"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantSourceTests",
            dependencies: [
                "SextantSource", "SextantAPI", "SextantCore", "SextantGit", "SextantYAML", "SextantTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantMLTests",
            dependencies: ["SextantML", "SextantTestSupport"],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantInferenceTests",
            dependencies: ["SextantInference"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantMonitoringTests",
            dependencies: ["SextantMonitoring", "SextantInference", "SextantML", "SextantServing", "SextantTestSupport"],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantWireTests",
            dependencies: ["SextantWire"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantCoreTests",
            dependencies: [
                "SextantCore", "SextantWire", "SextantAPI", "SextantYAML", "SextantTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantStoreTests",
            dependencies: [
                "SextantStore", "SextantCore", "SextantWire", "SextantAPI", "SextantTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // Both stores' contract (StoreContractTests), and PostgreSQL's lease and fence.
        .testTarget(
            name: "SextantPostgresTests",
            dependencies: [
                "SextantPostgres", "SextantStore", "SextantCore", "SextantWire", "SextantAPI", "SextantTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantRuntimeTests",
            dependencies: ["SextantRuntime", "SextantCore", "SextantWire", "SextantAPI", "SextantML", "SextantInference", "SextantTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantHTTPTests",
            dependencies: [
                "SextantHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantServingTests",
            dependencies: [
                "SextantServing", "SextantInference", "SextantML", "SextantHTTP", "SextantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantGatewayTests",
            dependencies: [
                "SextantGateway", "SextantWire", "SextantHTTP", "SextantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantDashboardTests",
            dependencies: [
                "SextantDashboard", "SextantCore", "SextantAPI", "SextantTestSupport",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantDaemonTests",
            dependencies: [
                "SextantDaemon", "SextantCore", "SextantWire", "SextantAPI", "SextantStore", "SextantTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantCLITests",
            dependencies: [
                "SextantCLI", "SextantAPI", "SextantCore", "SextantML", "SextantMonitoring", "SextantWire", "SextantGit", "SextantStore", "SextantYAML",
                "SextantSource", "SextantTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DocsTests",
            dependencies: ["sextant", "SextantTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantRayServeTests",
            dependencies: [
                "sextant", "SextantRayServe", "SextantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SextantRayTests",
            dependencies: [
                "SextantAPI", "SextantCore", "SextantRay", "SextantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "sextant", "SextantAPI", "SextantStore", "SextantCore", "SextantWire", "SextantDaemon", "SextantMonitoring", "SextantML",
                "SextantRay", "SextantRuntime", "SextantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
