import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

@Suite struct ReconcilerTests {
    @Test("a failing check is retried with per-object backoff, and recovers")
    func backoff() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore()
        let runtime = FakeRuntime()
        let clock = ManualClock()
        runtime.failing.store(true, ordering: .relaxed)
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock)
        let key = ObjectKey(.dataset, "tx")

        let first = try await reconciler.pass()
        #expect(first.failures == 1)
        #expect(first.remaining.retries[key] == clock.now() + 5)
        let status = try #require(first.status.objects.first { $0.key == key })
        #expect(status.conditions.map(\.reason) == ["CheckFailed"])
        #expect(status.message == "check failed: disk on fire")

        clock.advance(4)
        #expect(try await reconciler.pass().actions == 0, "still backing off")
        clock.advance(2)
        let second = try await reconciler.pass()
        #expect(second.actions == 1)
        #expect(second.remaining.retries[key] == clock.now() + 10, "the delay doubles")
        #expect(store.data.withLock { $0.journal.last?.entry.attempt } == 2)

        runtime.failing.store(false, ordering: .relaxed)
        clock.advance(10)
        let recovered = try await reconciler.pass()
        #expect(recovered.failures == 0)
        #expect(recovered.remaining.retries.isEmpty)
        #expect(recovered.status.objects.first { $0.key == key }?.phase == .validated)
        #expect(store.data.withLock { $0.events.map(\.reason) } == [.commitApplied, .checkFailed, .checkFailed, .datasetValidated])
        #expect(runtime.checks.load(ordering: .relaxed) == 3)
    }

    @Test("a restarted reconciler does not redo finished work")
    func restart() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore()
        let runtime = FakeRuntime()
        _ = try await Reconciler(source: source, store: store, runtime: runtime).pass()
        let again = try await Reconciler(source: source, store: store, runtime: runtime).pass()
        #expect(again.actions == 0)
        #expect(runtime.checks.load(ordering: .relaxed) == 1)
        #expect(again.status.objects.first { $0.kind == .dataset }?.sync == .synced)
    }

    @Test("an invalid head keeps the last good commit applied; status says Unknown with the error")
    func invalidHead() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let reconciler = Reconciler(source: source, store: MemoryStore(), runtime: FakeRuntime())
        _ = try await reconciler.pass()
        source.push("c2", Manifests.basic.merging(["dataset.yaml": Manifests.dataset("tx", contract: "nope")]) { $1 })
        let report = try await reconciler.pass()
        #expect(report.status.revision.commit == "c2")
        #expect(report.status.revision.appliedCommit == "c1")
        #expect(report.status.comparisonError?.reason == "InvalidManifests")
        #expect(report.status.objects.allSatisfy { $0.sync == .unknown })
        #expect(report.status.objects.first { $0.kind == .dataset }?.phase == .validated)
    }

    @Test("the loop waits for the interval or a trigger, and stops on graceful shutdown")
    func loop() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let trigger = PassTrigger()
        let loop = ReconcileLoop(reconciler: Reconciler(source: source, store: MemoryStore(), runtime: FakeRuntime()),
                                 interval: .seconds(3600), trigger: trigger)
        let group = ServiceGroup(configuration: .init(services: [loop], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitUntil { source.fetches.load(ordering: .relaxed) == 1 }
            trigger.request()
            try await waitUntil { source.fetches.load(ordering: .relaxed) == 2 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(source.fetches.load(ordering: .relaxed) == 2, "no pass before the interval without a trigger")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("wait after a pass: none with actions left, the earliest retry, or the interval")
    func waits() async throws {
        let now = Date(timeIntervalSince1970: 0)
        func report(_ plan: Planner.Plan) -> Reconciler.PassReport {
            .init(actions: 0, failures: 0, remaining: plan, status: StatusDocument(revision: .init(branch: "main"), objects: []),
                  sourceUnavailable: false, sourceError: nil, duration: .zero)
        }
        #expect(ReconcileLoop.wait(after: report(.init(actions: [.prune(ObjectKey(.dataset, "x"))])), interval: .seconds(15), now: now) == .zero)
        #expect(ReconcileLoop.wait(after: report(.init(retries: [ObjectKey(.dataset, "x"): now + 5])), interval: .seconds(15), now: now) == .seconds(5))
        #expect(ReconcileLoop.wait(after: report(.init(retries: [ObjectKey(.dataset, "x"): now + 50])), interval: .seconds(15), now: now) == .seconds(15))
        #expect(ReconcileLoop.wait(after: report(.init()), interval: .seconds(15), now: now) == .seconds(15))
    }
}

/// Polls a condition for up to five seconds.
func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not met within 5 s")
}
