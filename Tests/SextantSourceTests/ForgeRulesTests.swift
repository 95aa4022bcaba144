import Foundation
import NIOCore
@testable import SextantSource
import Testing

/// The forge clients' pure rules: where the repository comes from, the text limits, the
/// token, and the one-line errors.
@Suite struct ForgeRulesTests {
    @Test("the forge repository is read from the Git remote URL", arguments: [
        ("https://github.com/acme/models.git", "github.com", "acme/models"),
        ("https://github.com/acme/models", "github.com", "acme/models"),
        ("https://user:secret@gitlab.example.com/group/sub/project.git/", "gitlab.example.com", "group/sub/project"),
        ("git@github.com:acme/models.git", "github.com", "acme/models"),
        ("git@gitea.example.com:acme/models", "gitea.example.com", "acme/models"),
        ("ssh://git@gitlab.example.com:2222/group/project.git", "gitlab.example.com", "group/project"),
    ])
    func remote(url: String, host: String, path: String) throws {
        let remote = try #require(ForgeRepository.remote(url))
        #expect(remote.host == host)
        #expect(remote.repository.path == path)
    }

    @Test("a local path, file:// or a URL without OWNER/NAME names no forge repository",
          arguments: [".", "/srv/config", "examples/quickstart", "file:///srv/config.git", "https://github.com/acme", "https://github.com/"])
    func noRemote(url: String) {
        #expect(ForgeRepository.remote(url) == nil)
    }

    @Test("GitHub and Gitea take OWNER/NAME only; GitLab also subgroups")
    func shapes() throws {
        let nested = try #require(ForgeRepository(path: "group/sub/project"))
        #expect(nested.fits(.gitlab))
        #expect(!nested.fits(.github) && !nested.fits(.gitea))
        #expect(ForgeRepository(path: "acme")?.path == nil)
        #expect(ForgeRepository(path: "acme//models") == nil)
        #expect(ForgeRepository(path: "acme/models")?.fits(.github) == true)
    }

    @Test("a short title and body are sent as they are; a title is one line")
    func withinLimits() {
        let draft = PullRequestDraft(sourceBranch: "b", targetBranch: "main", title: "Retrain\nchurn", body: "body")
        #expect(draft.limited.title == "Retrain churn")
        #expect(draft.limited.body == "body")
        let exact = PullRequestDraft(sourceBranch: "b", targetBranch: "main", title: String(repeating: "t", count: 255),
                                     body: String(repeating: "b", count: 65_536))
        #expect(exact.limited == exact)
    }

    @Test("a long title keeps 254 code points and the marker; a combining sequence is never split")
    func titleCut() {
        let combining = "e\u{301}"  // é as two code points: one character
        let draft = PullRequestDraft(sourceBranch: "b", targetBranch: "main", title: String(repeating: combining, count: 200), body: "")
        let title = draft.limited.title
        #expect(title.unicodeScalars.count == 255)
        #expect(title == String(repeating: combining, count: 127) + "…")
    }

    @Test("the token is visible ASCII, and no description shows it")
    func token() throws {
        let token = try #require(ForgeToken(Array("ghp_abc123".utf8)))
        #expect(token.value == "ghp_abc123")
        #expect("\(token)" == "<redacted>")
        #expect(String(reflecting: token) == "<redacted>")
        let configuration = ForgeConfiguration(kind: .github, apiURL: "https://api.github.com/", repository: ForgeRepository(path: "acme/models")!, token: token)
        #expect("\(configuration)" == "github acme/models at https://api.github.com")
        #expect(!String(reflecting: configuration).contains("ghp_abc123"))
        #expect(ForgeToken(Array("two words".utf8)) == nil)
        #expect(ForgeToken(Array("line\r\nX-Injected: 1".utf8)) == nil)
        #expect(ForgeToken([]) == nil)
    }

    @Test("the forges' error bodies make one line", arguments: [
        (#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:b."}]}"#,
         "Validation Failed; A pull request already exists for acme:b."),
        (#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"head","code":"invalid"}]}"#, "Validation Failed; head invalid"),
        (#"{"message":["Another open merge request already exists for this source branch: !3"]}"#,
         "Another open merge request already exists for this source branch: !3"),
        (#"{"message":{"title":["is too long"]}}"#, "title is too long"),
        (#"{"error":"invalid_token","error_description":"Token was revoked.\nSign in again."}"#, "invalid_token; Token was revoked. Sign in again."),
        (#"{"message":"token is required","url":"https://gitea.example.com/api/swagger"}"#, "token is required"),
    ])
    func messages(body: String, line: String) {
        #expect(ForgeMessage.text(of: ByteBuffer(string: body)) == line)
    }

    @Test("a proxy's HTML page is no forge message")
    func html() {
        #expect(ForgeMessage.text(of: ByteBuffer(string: "<html><body>502 Bad Gateway</body></html>")) == nil)
    }
}
