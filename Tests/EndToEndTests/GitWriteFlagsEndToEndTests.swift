import Foundation
import Testing
import SextantTestSupport

/// `run`'s flags for the branches Sextant pushes: refused at start with one line, exit 2.
@Suite struct GitWriteFlagsEndToEndTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: @Sendable (String) -> [String]
        var content: String?
        var mode: mode_t = 0o600
        var message: @Sendable (String) -> String
        var testDescription: String { message("FILE") }
    }

    static let cases: [Case] = [
        Case(arguments: { ["--git-credentials-file", $0 + "/missing"] }, content: nil,
             message: { "error: --git-credentials-file \($0)/missing: cannot read the file (No such file or directory)" }),
        Case(arguments: { ["--git-credentials-file", $0 + "/credentials"] }, content: "token\n", mode: 0o644,
             message: { "error: --git-credentials-file \($0)/credentials: permissions 644 are too open (group or others may read it); run `chmod 600 \($0)/credentials`, and replace the secret if others could read it" }),
        Case(arguments: { ["--git-credentials-file", $0 + "/credentials"] }, content: "# nothing but a comment\n",
             message: { "error: --git-credentials-file \($0)/credentials: the file holds no token; write a token or user:token on one line, or an SSH private key" }),
        Case(arguments: { _ in ["--git-author", "sextant@example.com"] }, content: nil,
             message: { _ in "Error: --git-author sextant@example.com is not Name <email>, e.g. \"Sextant <sextant@example.com>\"" }),
    ]

    @Test("a credentials file that cannot be used, or an author that is not Name <email>, stops run with one line", arguments: cases)
    func refused(_ testCase: Case) async throws {
        let repository = try GitFixture()
        try repository.commit("first", files: ["README.md": "hi\n"])
        let work = try TemporaryDirectory("sextant-flags")
        if let content = testCase.content {
            let path = try work.write("credentials", content)
            #expect(chmod(path, testCase.mode) == 0)
        }
        let result = try await runProcess(sextantBinary, ["run", "--repo", repository.path, "--state-dir", work.path + "/state", "--listen", "127.0.0.1:\(try freePort())"]
                                          + testCase.arguments(work.path), environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == testCase.message(work.path), "\(result.stderr)")
        #expect(!result.stderr.contains("token\n"))
    }
}
