import Foundation
import SextantSource
import SextantTestSupport
import Synchronization
import Testing

/// The forge clients against `ForgeStandIn`, a local server that takes only what each
/// forge documents: every case runs for GitHub, GitLab and Gitea.
@Suite struct PullRequestsTests {
    static let draft = PullRequestDraft(sourceBranch: "sextant/retrain/churn", targetBranch: "main",
                                        title: "Retrain churn: data drift on tenure", body: "## Why\n\nPSI 0.31 on `tenure`.")

    /// The web page each forge documents for pull request `number` of acme/models.
    static func webURL(_ standIn: ForgeStandIn, _ number: Int) -> String {
        switch standIn.kind {
        case .github: "https://github.com/acme/models/pull/\(number)"
        case .gitlab: "http://127.0.0.1:\(standIn.port)/acme/models/-/merge_requests/\(number)"
        case .gitea: "http://127.0.0.1:\(standIn.port)/acme/models/pulls/\(number)"
        }
    }

    /// The creates the stand-in saw.
    static func creates(_ standIn: ForgeStandIn) -> Int {
        standIn.requests.filter { $0.hasPrefix("POST ") }.count
    }

    @Test("the first call opens a pull request with the draft's branches, title and body", arguments: ForgeKind.allCases)
    func create(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            let ref = try await standIn.client().openOrUpdate(Self.draft)
            #expect(ref == PullRequestRef(number: 1, url: Self.webURL(standIn, 1), state: .open, headCommit: String(repeating: "1", count: 40)))
            let pull = try #require(standIn.pulls.first)
            #expect(standIn.pulls.count == 1)
            #expect((pull.head, pull.base, pull.title, pull.body) == (Self.draft.sourceBranch, "main", Self.draft.title, Self.draft.body))
        }
    }

    @Test("a second call updates the open pull request in place: one pull request, the new title and body", arguments: ForgeKind.allCases)
    func updateInPlace(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            let client = standIn.client()
            let first = try await client.openOrUpdate(Self.draft)
            var second = Self.draft
            second.title = "Retrain churn: data drift on tenure and plan"
            second.body = "## Why\n\nPSI 0.31 on `tenure`, 0.12 on `plan`."
            let updated = try await client.openOrUpdate(second)
            #expect(updated.number == first.number)
            #expect(standIn.pulls.count == 1)
            #expect(standIn.pulls.first?.title == second.title)
            #expect(standIn.pulls.first?.body == second.body)
            #expect(Self.creates(standIn) == 1, "\(standIn.requests)")
        }
    }

    @Test("a merged pull request reports merged, a closed one closed, and the next call opens a new one", arguments: ForgeKind.allCases)
    func mergedAndClosed(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            let client = standIn.client()
            let first = try await client.openOrUpdate(Self.draft)
            #expect(try await client.state(of: first).state == .open)
            standIn.merge(first.number)
            let merged = try await client.state(of: first)
            #expect(merged.state == .merged)
            #expect(merged.url == first.url)
            let next = try await client.openOrUpdate(Self.draft)
            #expect(next.number != first.number)
            #expect(next.state == .open)
            standIn.close(next.number)
            #expect(try await client.state(of: next).state == .closed)
        }
    }

    @Test("a refused token: 401, not retryable, one line that names the forge, the call and --forge-token-file, never the token", arguments: ForgeKind.allCases)
    func unauthorized(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            let error = try await #require(throws: ForgeError.self) { try await standIn.client(token: "wrong-token").openOrUpdate(Self.draft) }
            #expect(error.status == 401)
            #expect(!error.isRetryable)
            let line = error.description
            #expect(line.hasPrefix("\(kind.displayName) GET \(standIn.apiURL)/"), "\(line)")
            #expect(line.contains("HTTP 401 (\(ForgeStandIn.unauthorized(kind)))"), "\(line)")
            #expect(line.contains("check --forge-token-file"), "\(line)")
            #expect(!line.contains("wrong-token") && !line.contains(standIn.token) && !line.contains("\n"), "\(line)")
            #expect(standIn.pulls.isEmpty)
        }
    }

    @Test("a pull request opened by hand between the look-up and the create (the forge's conflict): it is updated, not duplicated", arguments: ForgeKind.allCases)
    func raceWithAHuman(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            standIn.state.withLock { $0.humanOpensOnNextCreate = true }
            let ref = try await standIn.client().openOrUpdate(Self.draft)
            #expect(standIn.pulls.count == 1)
            #expect(ref.number == standIn.pulls.first?.number)
            #expect(standIn.pulls.first?.title == Self.draft.title, "the human's pull request now says what Sextant says")
            #expect(Self.creates(standIn) == 1, "\(standIn.requests)")
        }
    }

    @Test("a 5xx or a 429 is a retryable error with the forge's message; nothing was opened, and the next call works",
          arguments: ForgeKind.allCases, [500, 502, 429])
    func retryable(kind: ForgeKind, status: Int) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            standIn.state.withLock { $0.failures = [status] }
            let error = try await #require(throws: ForgeError.self) { try await standIn.client().openOrUpdate(Self.draft) }
            #expect(error.status == status)
            #expect(error.isRetryable)
            #expect(error.description.contains("HTTP \(status) (stand-in failure \(status))"), "\(error)")
            #expect(standIn.pulls.isEmpty)
            #expect(try await standIn.client().openOrUpdate(Self.draft).number == 1)
        }
    }

    @Test("a 404 is not retryable and says to check --forge-repo and --forge-url", arguments: ForgeKind.allCases)
    func notFound(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            let error = try await #require(throws: ForgeError.self) { try await standIn.client().state(of: PullRequestRef(number: 9, url: "", state: .open)) }
            #expect(error.status == 404)
            #expect(!error.isRetryable)
            #expect(error.description.hasSuffix("check --forge-repo and --forge-url (a token that cannot see a private repository gets 404 too)"), "\(error)")
        }
    }

    @Test("a title over 255 characters and a body over 65,536 are cut on character boundaries, within what the forge takes", arguments: ForgeKind.allCases)
    func limits(kind: ForgeKind) async throws {
        try await ForgeStandIn.with(kind) { standIn in
            var draft = Self.draft
            draft.title = String(repeating: "é", count: 200) + String(repeating: "👍🏽", count: 100)
            draft.body = String(repeating: "row | 0.1234\n", count: 6_000)
            _ = try await standIn.client().openOrUpdate(draft)
            let pull = try #require(standIn.pulls.first)
            #expect(pull.title.unicodeScalars.count <= 255)
            #expect(pull.title.hasSuffix("👍🏽…"), "whole emoji with their skin tone, then the marker")
            #expect(pull.body.unicodeScalars.count <= 65_536)
            #expect(pull.body.hasSuffix("\n\n*This description was cut to the forge's limit of 65,536 characters; it had 78000.*"))
            #expect(pull.body.hasPrefix(String(repeating: "row | 0.1234\n", count: 5_000)))
        }
    }

    @Test("Gitea: the branch's pull request on a later page of the open ones is found (the instance answers 2 per page), not duplicated")
    func giteaPages() async throws {
        try await ForgeStandIn.with(.gitea) { standIn in
            standIn.state.withLock { $0.maxPageItems = 2 }
            for branch in ["a", "b", "c", "d"] { standIn.open(head: branch) }
            standIn.open(head: Self.draft.sourceBranch, fromFork: true)
            let ours = standIn.open(head: Self.draft.sourceBranch)
            let ref = try await standIn.client().openOrUpdate(Self.draft)
            #expect(ref.number == ours)
            #expect(Self.creates(standIn) == 0, "\(standIn.requests)")
            #expect(standIn.pulls.first { $0.number == ours }?.title == Self.draft.title)
        }
    }

    @Test("GitLab: a fork's merge request from a branch of the same name is not Sextant's")
    func gitlabFork() async throws {
        try await ForgeStandIn.with(.gitlab) { standIn in
            let fork = standIn.open(head: Self.draft.sourceBranch, fromFork: true)
            let ref = try await standIn.client().openOrUpdate(Self.draft)
            #expect(ref.number != fork)
            #expect(standIn.pulls.first { $0.number == fork }?.title == "by hand")
        }
    }

    @Test("a forge nobody answers for: a retryable error that says so")
    func unreachable() async throws {
        let refusing = try RefusingPort()
        let client = ForgeConfiguration(kind: .github, apiURL: "http://127.0.0.1:\(refusing.port)", repository: ForgeStandIn.repository,
                                        token: ForgeToken(Array("t".utf8))!).pullRequests()
        let error = try await #require(throws: ForgeError.self) { try await client.openOrUpdate(Self.draft) }
        #expect(error.failure == .unreachable)
        #expect(error.isRetryable)
        #expect(error.description == "GitHub GET http://127.0.0.1:\(refusing.port)/repos/acme/models/pulls?head=acme%3Asextant%2Fretrain%2Fchurn&state=open: no answer (connection refused)")
    }
}
