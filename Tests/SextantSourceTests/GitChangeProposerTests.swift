import Foundation
import Synchronization
import Testing
import SextantCore
@testable import SextantSource
import SextantTestSupport
import SextantYAML

/// Core's proposals written by `GitChangeProposer`: the edits applied to the base commit's
/// files, the branch pushed to a real repository, the pull request opened on a forge
/// stand-in, then updated in place.
@Suite struct GitChangeProposerTests {
    static func change(sha: Character, at base: String) -> ProposedChange {
        ProposedChange(purpose: .retrain, model: "fraud", baseCommit: base, title: "Retrain fraud on the new data (\(sha))",
                       body: "## Why\n\ndrift on `amount`\n",
                       edits: [.setScalar(file: "ml/dataset.yaml", field: "spec.sha256", value: String(repeating: sha, count: 64))],
                       requestedAt: Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test("a proposal is pushed with only its scalar changed, its pull request opened; the next one updates the branch and the same pull request", arguments: ForgeKind.allCases)
    func proposeTwice(kind: ForgeKind) async throws {
        let setup = try await BranchWriterTests.Setup()
        try await ForgeStandIn.with(kind) { forge in
            let proposer = GitChangeProposer(source: setup.source, settings: BranchWriteSettings(), pullRequests: forge.client())
            let first = try await proposer.propose(Self.change(sha: "b", at: setup.base))
            #expect(first.branch == "sextant/retrain/fraud" && first.state == .open && first.number != nil, "\(first)")
            #expect(try setup.git("rev-parse", "sextant/retrain/fraud") == first.headCommit)
            let diff = try setup.git("diff", "-U0", setup.base, "sextant/retrain/fraud")
            let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
            #expect(changed == ["-  sha256: '\(String(repeating: "a", count: 64))'", "+  sha256: '\(String(repeating: "b", count: 64))'"], "\(diff)")
            #expect(try setup.git("log", "-1", "--format=%B", "sextant/retrain/fraud").contains("drift on `amount`"))

            let second = try await proposer.propose(Self.change(sha: "c", at: setup.base))
            #expect(second.number == first.number && second.headCommit != first.headCommit, "\(second)")
            #expect(forge.pulls.count == 1, "updated in place, never duplicated")
            #expect(forge.pulls.first?.title == "Retrain fraud on the new data (c)")
        }
    }

    @Test("the plan of the branch is appended to the pull request's body, after the evidence")
    func planInBody() async throws {
        let setup = try await BranchWriterTests.Setup()
        try await ForgeStandIn.with(.github) { forge in
            let asked = Mutex<[String]>([])
            let proposer = GitChangeProposer(source: setup.source, settings: BranchWriteSettings(), pullRequests: forge.client()) { base, head in
                asked.withLock { $0 = [base, head] }
                return "### Sextant plan: `\(base.prefix(7))` → `\(head.prefix(7))`\n"
            }
            let record = try await proposer.propose(Self.change(sha: "b", at: setup.base))
            #expect(asked.withLock { $0 } == [setup.base, record.headCommit])
            let body = try #require(forge.pulls.first?.body)
            #expect(body.hasPrefix("## Why") && body.contains("### Sextant plan: `\(setup.base.prefix(7))` → `\(record.headCommit.prefix(7))`"), "\(body)")
        }
    }

    @Test("an edit of a field that is not there is rejected (a reason: not retried), naming the file and the field; nothing is pushed")
    func missingField() async throws {
        let setup = try await BranchWriterTests.Setup()
        let proposer = GitChangeProposer(source: setup.source, settings: BranchWriteSettings(), pullRequests: nil)
        var change = Self.change(sha: "b", at: setup.base)
        change.edits = [.setScalar(file: "ml/dataset.yaml", field: "spec.source.uri", value: "file:///x.csv")]
        await #expect {
            try await proposer.propose(change)
        } throws: { error in
            guard let error = error as? ActionError else { return false }
            return error.reason != nil && error.message.contains("ml/dataset.yaml") && error.message.contains("spec.source.uri")
        }
        #expect(throws: (any Error).self) { try setup.git("rev-parse", "--verify", "sextant/retrain/fraud") }
    }

    @Test("restoring a field absent in one of the two versions restores its parent mapping whole")
    func restoreParent() async throws {
        let old = Array("spec:\n  source: {path: a.csv}\n  contract: tx\n".utf8)
        let current = Array("spec:\n  source: {path: a.csv}\n  sha256: 'ff'\n  contract: tx\n".utf8)
        let restored = try GitChangeProposer.restore(["spec", "sha256"], in: current, from: old, file: "d.yaml")
        #expect(String(decoding: restored, as: UTF8.self) == "spec:\n  source: {path: a.csv}\n  contract: tx\n")
        let neither = try GitChangeProposer.restore(["spec", "table"], in: current, from: old, file: "d.yaml")
        #expect(neither == current, "absent in both: nothing to do")
    }
}
