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
        .executable(name: "sextant", targets: ["sextant"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
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
            dependencies: ["SextantYAML"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantCLI",
            dependencies: [
                "SextantAPI",
                "SextantGit",
                "SextantYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sextant",
            dependencies: ["SextantCLI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SextantTestSupport",
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
            name: "SextantCLITests",
            dependencies: ["SextantCLI", "SextantAPI", "SextantGit", "SextantYAML", "SextantTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["sextant", "SextantTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
