import Foundation

/// A program some tests check our output with, where the machine has it (CI installs
/// them). A test that needs one says so with `.enabled(if: tool.isInstalled, tool.missing)`,
/// so a machine without it reports the test as skipped, and why.
public struct PeerTool: Sendable {
    public let path: String
    /// The skip reason: what is missing and which package provides it.
    public let missing: String

    public var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    public static let promtool = PeerTool(path: "/usr/bin/promtool", missing: "promtool (Debian's prometheus package) is not installed")
    public static let skopeo = PeerTool(path: "/usr/bin/skopeo", missing: "skopeo (Debian's skopeo package) is not installed")
}

extension PeerTool {
    /// `promtool check metrics` on a Prometheus text exposition.
    public static func checkMetrics(_ metrics: String) async throws -> ProcessOutput {
        let work = try TemporaryDirectory()
        _ = try work.write("metrics.txt", metrics)
        return try await runProcess("/bin/sh", ["-c", "\(promtool.path) check metrics < \(work.path)/metrics.txt"], environment: ["PATH": "/usr/bin:/bin"])
    }
}
