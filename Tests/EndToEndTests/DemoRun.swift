import Foundation
import SextantTestSupport

/// A demo script (`scripts/demo`, `scripts/demo-drift`) run as CI runs it: `--fast`, the
/// built binary, free ports; its output and the timeline's events.
struct DemoRun {
    let status: Int32
    let output: String
    let lines: [String]

    init(_ script: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["KEEP"] = nil
        environment["SEXTANT"] = sextantBinary
        environment["GATEWAY"] = "127.0.0.1:\(try freePort())"
        environment["LISTEN"] = "127.0.0.1:\(try freePort())"
        if environment["PATH"] == nil { environment["PATH"] = "/usr/bin:/bin" }
        let run = try await runProcess("/usr/bin/env", ["python3", packageRoot + "/scripts/" + script, "--fast"], in: packageRoot, environment: environment)
        status = run.status
        output = run.stdout + run.stderr
        lines = output.split(separator: "\n").map(String.init)
    }

    /// Whether the timeline has an event of `reason` whose line holds every fragment.
    func event(_ reason: String, _ fragments: String...) -> Bool {
        lines.contains { line in line.contains(" s  \(reason) ") && fragments.allSatisfy { line.contains($0) } }
    }
}
