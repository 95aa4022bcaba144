import Foundation

/// A real Git repository in a temporary directory, driven by the `git` command line.
public final class GitFixture: Sendable {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }

    public init() throws {
        directory = try TemporaryDirectory("sextant-git")
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Ada Lovelace")
        try git("config", "user.email", "ada@example.com")
        try git("config", "commit.gpgsign", "false")
    }

    /// Runs git in the repository and returns its standard output, trimmed.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let output = try runProcessBlocking("/usr/bin/git", arguments, in: path, environment: [
            "PATH": "/usr/bin:/bin", "HOME": path, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_DATE": "2026-11-21T10:00:00Z", "GIT_COMMITTER_DATE": "2026-11-21T10:00:00Z",
        ])
        guard output.status == 0 else {
            throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes files, stages everything and commits; returns the new commit's SHA.
    @discardableResult
    public func commit(_ message: String, files: [String: String] = [:], removing: [String] = []) throws -> String {
        for (relative, content) in files { try directory.write(relative, content) }
        for relative in removing { try directory.remove(relative) }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
