import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// Proposals to Git through the reconciler: a refused push is an event and is retried with
/// backoff; the proposal survives a restart; the written one is in status.
@Suite struct ProposalTests {
    static func proposal(base: String) -> ProposedChange {
        ProposedChange(purpose: .retrain, model: "fraud", baseCommit: base, title: "Retrain fraud", body: "why",
                       edits: [.setScalar(file: "dataset.yaml", field: "spec.sha256", value: String(repeating: "b", count: 64))],
                       requestedAt: Date(timeIntervalSince1970: 1_000_000))
    }

    @Test("a refused push: ProposeFailed with the remote's reason and the next attempt; kept across a restart; written after the backoff, once")
    func refusedPush() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore()
        let runtime = FakeRuntime()
        let clock = ManualClock()
        let proposer = FakeProposer()
        let first = Reconciler(source: source, store: store, runtime: runtime, clock: clock, proposer: proposer)
        #expect(try ModelReconcilerTests.model(try await first.pass()).phase == .serving)

        // A proposal waits in the model's record (as a retraining or `sextant rollback` queue it).
        store.data.withLock { $0.objects[ModelReconcilerTests.key]!.model!.proposals = [Self.proposal(base: "c1")] }
        proposer.refusals.withLock { $0 = 1 }
        let restarted = Reconciler(source: source, store: store, runtime: runtime, clock: clock, proposer: proposer)
        _ = try await restarted.pass()
        let failed = store.data.withLock { $0.events.filter { $0.reason == .proposeFailed } }
        #expect(failed.count == 1)
        #expect(failed.first?.message.contains("pre-receive hook declined; retrying in 5 s (attempt 1)") == true, "\(failed)")
        #expect(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.proposals.count } == 1, "nothing lost")

        // Within the backoff nothing is tried; a restarted daemon still has it.
        _ = try await restarted.pass()
        #expect(proposer.proposed.withLock { $0.isEmpty })
        let again = Reconciler(source: source, store: store, runtime: runtime, clock: clock, proposer: proposer)
        clock.advance(by: .seconds(6))
        let report = try await again.pass()
        #expect(proposer.proposed.withLock { $0.count } == 1)
        #expect(store.data.withLock { $0.events.filter { $0.reason == .pullRequestOpened }.count } == 1)
        #expect(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.proposals.isEmpty } == true)
        let record = try #require(try ModelReconcilerTests.model(report).model?.pullRequests.first)
        #expect(record.branch == "sextant/retrain/fraud" && record.number == 1 && record.state == .open, "\(record)")
        _ = try await again.pass()
        #expect(proposer.proposed.withLock { $0.count } == 1, "written once")
    }
}
