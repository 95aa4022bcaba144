import ArgumentParser
import Foundation
import SextantTestSupport
import Testing
@testable import SextantCLI

/// `--forge`, `--forge-url`, `--forge-token-file`, `--forge-repo` as `run` and
/// `reconcile --once` read them: a checked configuration, or one line naming the flag.
@Suite struct ForgeOptionsTests {
    /// A token file only its owner may read, as secret files must be.
    static func tokenFile(_ directory: TemporaryDirectory, mode: Int = 0o600) throws -> String {
        let path = directory.path + "/token"
        try "ghp_example\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// The forge part of the daemon's configuration, as its description (never the token).
    static func forge(_ arguments: [String]) throws -> String? {
        try SourceOptions.parse(arguments).daemonConfiguration().forge.map { String(describing: $0) }
    }

    @Test("the flags make the forge's configuration; OWNER/NAME comes from --repo unless --forge-repo says it", arguments: [
        (["--repo", "git@github.com:acme/models.git", "--forge", "github"], "github acme/models at https://api.github.com"),
        (["--repo", ".", "--forge", "github", "--forge-repo", "acme/models"], "github acme/models at https://api.github.com"),
        (["--repo", "https://gh.acme.io/acme/models", "--forge", "github", "--forge-url", "https://gh.acme.io/api/v3/"],
         "github acme/models at https://gh.acme.io/api/v3"),
        (["--repo", "https://gitlab.example.com/ml/platform/config.git", "--forge", "gitlab", "--forge-url", "https://gitlab.example.com/api/v4"],
         "gitlab ml/platform/config at https://gitlab.example.com/api/v4"),
        (["--repo", "ssh://git@gitea.example.com:2222/acme/models.git", "--forge", "gitea", "--forge-url", "https://gitea.example.com/api/v1"],
         "gitea acme/models at https://gitea.example.com/api/v1"),
    ])
    func configuration(arguments: [String], expected: String) throws {
        let directory = try TemporaryDirectory()
        let described = try Self.forge(arguments + ["--forge-token-file", Self.tokenFile(directory)])
        #expect(described == expected)
        #expect(described?.contains("ghp_example") == false)
    }

    @Test("without --forge there is no forge, and the other flags need it")
    func noForge() throws {
        #expect(try Self.forge(["--repo", "."]) == nil)
        let failure = try #require(throws: CommandFailure.self) { try Self.forge(["--repo", ".", "--forge-repo", "acme/models"]) }
        #expect(failure.message == "--forge-repo needs --forge github|gitlab|gitea")
        #expect(failure.exitCode == 2)
    }

    @Test("each problem is one line naming the flag, exit 2", arguments: [
        (["--repo", ".", "--forge", "gitea", "--forge-repo", "acme/models"],
         "--forge-url is required with --forge gitea: the API base, e.g. https://gitea.example.com/api/v1"),
        (["--repo", "https://gh.acme.io/acme/models", "--forge", "github"],
         "--forge-url is required: --repo is on gh.acme.io, not github.com; for GitHub Enterprise Server it is https://gh.acme.io/api/v3"),
        (["--repo", ".", "--forge", "github", "--forge-url", "gitlab.example.com"],
         "--forge-url gitlab.example.com is not the http(s) URL of the API, e.g. https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server"),
        (["--repo", ".", "--forge", "github"], "--forge-repo is required: --repo . is not a URL that names the repository; give OWNER/NAME"),
        (["--repo", "https://gitlab.example.com/ml/platform/config", "--forge", "github", "--forge-url", "https://x/api/v3"],
         "--forge-repo is required: --repo's path ml/platform/config is not OWNER/NAME on GitHub"),
        (["--repo", ".", "--forge", "gitlab", "--forge-url", "https://g/api/v4", "--forge-repo", "project"],
         "--forge-repo project is not GROUP/PROJECT (or GROUP/SUBGROUP/PROJECT)"),
    ])
    func problems(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let failure = try #require(throws: CommandFailure.self) { try Self.forge(arguments + ["--forge-token-file", Self.tokenFile(directory)]) }
        #expect(failure.message == message)
        #expect(failure.exitCode == 2)
    }

    @Test("the token file: required, readable, private, and the token alone")
    func tokenFile() throws {
        let base = ["--repo", "git@github.com:acme/models.git", "--forge", "github"]
        var failure = try #require(throws: CommandFailure.self) { try Self.forge(base) }
        #expect(failure.message.hasPrefix("--forge-token-file is required with --forge github: a file holding the API token"))
        failure = try #require(throws: CommandFailure.self) { try Self.forge(base + ["--forge-token-file", "/nonexistent/token"]) }
        #expect(failure.message == "--forge-token-file /nonexistent/token: cannot read the file (No such file or directory)")
        let directory = try TemporaryDirectory()
        let open = try Self.tokenFile(directory, mode: 0o644)
        failure = try #require(throws: CommandFailure.self) { try Self.forge(base + ["--forge-token-file", open]) }
        #expect(failure.message.hasPrefix("--forge-token-file \(open): permissions 644 are too open"))
        try "two words\n".write(toFile: open, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: open)
        failure = try #require(throws: CommandFailure.self) { try Self.forge(base + ["--forge-token-file", open]) }
        #expect(failure.message == "--forge-token-file \(open): the token has spaces or control characters; the file must hold the token alone")
    }
}
