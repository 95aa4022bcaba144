import Foundation
import SextantTestSupport

/// The pages whose examples are run: README.md, docs/*.md and examples/*/README.md.
enum DocPages {
    static var paths: [String] {
        let manager = FileManager.default
        let docs = ((try? manager.contentsOfDirectory(atPath: "\(packageRoot)/docs")) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        let examples = ((try? manager.contentsOfDirectory(atPath: "\(packageRoot)/examples")) ?? [])
            .sorted().map { "examples/\($0)/README.md" }
            .filter { manager.fileExists(atPath: "\(packageRoot)/\($0)") }
        return ["README.md"] + docs + examples
    }

    static func text(of path: String) throws -> String {
        try String(contentsOfFile: "\(packageRoot)/\(path)", encoding: .utf8)
    }
}

/// Help examples that cannot run against the quickstart, with the reason; matched by a
/// part of the command.
enum HelpExampleSkips {
    static let rules: [(part: String, reason: String)] = [
        ("https://github.com/", "needs a remote repository"),
        ("git@github.com:", "needs a remote repository"),
        ("/var/lib/sextant", "a system state directory"),
        ("sextant promote ", "needs a rollout in progress"),
        ("sextant abort ", "needs a rollout in progress"),
        ("/etc/sextant/api-token", "needs a daemon with an API token file"),
        ("/srv/", "a repository and data root of your own"),
        ("sextant gateway ", "the quickstart's gateway, which reconcile starts, holds its port"),
    ]

    static func reason(for command: DocCommand) -> String? {
        rules.first { command.text.contains($0.part) }?.reason
    }
}
