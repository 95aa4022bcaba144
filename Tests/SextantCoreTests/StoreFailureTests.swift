import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// A store that cannot be written (disk full, read-only): the pass ends, nothing that
/// already happened is lost or redone, and the outage is visible and ends with events.
@Suite struct StoreFailureTests {
    /// Events after the first `skipping`, as `reason`.
    static func reasons(_ store: MemoryStore, after skipping: Int = 0) -> [EventReason] {
        store.data.withLock { Array($0.events.dropFirst(skipping)).map(\.reason) }
    }

    @Test("a FetchFailed whose write failed waits in memory and reaches the store before FetchRecovered")
    func fetchFailedBeforeRecovered() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore(), clock = ManualClock(), health = StoreHealth()
        let reconciler = Reconciler(source: source, store: store, runtime: FakeRuntime(), clock: clock, storeHealth: health)
        _ = try await reconciler.pass()
        let before = store.data.withLock { $0.events.count }

        // The remote and the disk fail together: FetchFailed cannot be written.
        source.fetchFailure.withLock { $0 = "fetch main: connection refused" }
        store.failing.withLock { $0 = ["*"] }
        clock.advance(10)
        let failedAt = clock.now()
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(Self.reasons(store, after: before) == [], "nothing reached the store")
        let failure = try #require(health.failure)
        #expect(failure.operation == "recording FetchFailed event")
        #expect(failure.since == failedAt)
        #expect(failure.message == "database or disk is full")
        #expect(failure.pendingWrites == 2, "FetchFailed and StoreUnavailable wait")

        // The remote comes back first: FetchRecovered queues behind FetchFailed.
        source.fetchFailure.withLock { $0 = nil }
        clock.advance(10)
        let fetchRecoveredAt = clock.now()
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(health.failure?.since == failedAt, "the same outage")
        #expect(health.failure?.failedWrites == 2)

        store.failing.withLock { $0 = [] }
        clock.advance(10)
        _ = try await reconciler.pass()
        #expect(Self.reasons(store, after: before) == [.fetchFailed, .storeUnavailable, .fetchRecovered, .storeRecovered])
        let written = store.data.withLock { Array($0.events.dropFirst(before)) }
        #expect(written.map(\.time) == [failedAt, failedAt, fetchRecoveredAt, clock.now()], "each event keeps the time it happened")
        #expect(written[0].message == "fetch main: connection refused")
        #expect(written[1].message.hasPrefix("recording FetchFailed event failed: database or disk is full"))
        #expect(written[3].message == "the store takes writes again after failing since \(iso8601(failedAt)) (2 failed writes)")
        #expect(health.failure == nil)
        #expect(health.failedWrites == 2)
        #expect(health.pendingWrites == 0)
    }

    @Test("a check that finished while the store failed is written once it works, in order, and not run again")
    func finishedCheckIsNotRedone() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore(), runtime = FakeRuntime(), health = StoreHealth()
        store.failing.withLock { $0 = ["finishAction"] }
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock(), storeHealth: health)
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(runtime.checks.load(ordering: .relaxed) == 1)
        #expect(health.failure?.operation == "recording the end of CheckDataset of Dataset/tx")
        #expect(store.data.withLock { $0.journal.map { $0.outcome == nil } } == [true], "journaled as started, not finished")

        store.failing.withLock { $0 = [] }
        let report = try await reconciler.pass()
        #expect(report.actions == 0, "the check's outcome was kept")
        #expect(runtime.checks.load(ordering: .relaxed) == 1)
        #expect(store.data.withLock { $0.journal.map { $0.outcome?.state } } == [.succeeded])
        #expect(store.data.withLock { $0.objects[ObjectKey(.dataset, "tx")]?.dataset?.verdict } == .validated)
        #expect(Self.reasons(store) == [.commitApplied, .datasetValidated, .storeUnavailable, .storeRecovered])
        #expect(report.status.objects.first { $0.kind == .dataset }?.phase == .validated)
        #expect(health.failure == nil)
    }

    @Test("a training that finished while the store failed is recorded later, never trained again")
    func finishedTrainingIsNotRedone() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        store.failing.withLock { $0 = ["finishAction:Train"] }
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock())
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(runtime.models.withLock { $0.trainings.count } == 1)
        #expect(store.data.withLock { $0.registries["fraud"]?.versions.count ?? 0 } == 0, "not recorded yet")
        #expect(reconciler.storeHealth.failure?.operation == "recording the end of Train of Model/fraud")

        store.failing.withLock { $0 = [] }
        let report = try await reconciler.pass()
        #expect(runtime.models.withLock { $0.trainings.count } == 1)
        #expect(try ModelReconcilerTests.model(report).phase == .serving)
        #expect(store.data.withLock { $0.registries["fraud"]?.versions.map(\.number) } == [1])
        let reasons = Self.reasons(store).filter { [.trained, .evaluated, .storeUnavailable, .storeRecovered].contains($0) }
        #expect(reasons == [.trained, .storeUnavailable, .evaluated, .storeRecovered])
    }

    @Test("an operator request taken from the store while the journal cannot be written is kept and carried out once")
    func requestIsNotLost() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore()
        let reconciler = Reconciler(source: source, store: store, runtime: FakeRuntime(), clock: ManualClock())
        _ = try await reconciler.pass()
        store.data.withLock { $0.requests.append(OperatorRequest(decision: .retry, model: "fraud", actor: "user:ada", time: Date())) }
        store.failing.withLock { $0 = ["startAction"] }
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(store.data.withLock { $0.requests.isEmpty }, "taken from the store")

        store.failing.withLock { $0 = [] }
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        #expect(Self.reasons(store).filter { $0 == .retryRequested } == [.retryRequested])
        #expect(store.data.withLock { $0.journal.filter { $0.entry.action == "Retry" }.map { $0.outcome?.state } } == [.succeeded])
    }

    @Test("an outage ends only when a whole pass has written everything: small writes that work do not end it")
    func outageEndsOnlyWithAWholePass() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore(), health = StoreHealth()
        let reconciler = Reconciler(source: source, store: store, runtime: FakeRuntime(), clock: ManualClock(), storeHealth: health)
        _ = try await reconciler.pass()
        store.failing.withLock { $0 = ["saveStatus"] }
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(health.failure?.operation == "saving status")
        // Small writes work, status still does not: the outage goes on, no recovery event.
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(Self.reasons(store, after: 2) == [.storeUnavailable])
        #expect(health.failure?.failedWrites == 2)
        store.failing.withLock { $0 = [] }
        _ = try await reconciler.pass()
        #expect(Self.reasons(store, after: 2) == [.storeUnavailable, .storeRecovered])
    }

    @Test("StoreHealth: the first failed write begins an outage, later ones update it, recovery ends it")
    func health() throws {
        let health = StoreHealth()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(health.failure == nil)
        #expect(health.recordFailure(operation: "saving status", message: "disk full", at: start))
        #expect(!health.recordFailure(operation: "journaling CheckDataset of Dataset/tx", message: "still full", at: start + 30))
        health.setPendingWrites(3)
        let failure = try #require(health.failure)
        #expect(failure.since == start)
        #expect(failure.operation == "journaling CheckDataset of Dataset/tx")
        #expect(failure.failedWrites == 2)
        #expect(failure.summary == "store unavailable: journaling CheckDataset of Dataset/tx failed since 2027-01-15T08:00:00Z (2 failed writes; 3 writes wait in memory): still full")
        #expect(health.recordRecovery()?.since == start)
        #expect(health.failure == nil)
        #expect(health.recordRecovery() == nil)
        #expect(health.failedWrites == 2, "the counter never goes back")
        #expect(health.recordFailure(operation: "saving status", message: "full again", at: start + 60), "a new outage")
    }

    @Test("status while the store fails: revision.error and a StoreUnavailable condition on every object, the rest as saved")
    func statusOverlay() {
        let saved = Date(timeIntervalSince1970: 1_800_000_000)
        let document = StatusDocument(revision: .init(commit: "c1", branch: "main", reconciledAt: saved, error: "fetch main: timeout"), objects: [
            ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "ok",
                         conditions: [StatusCondition(type: "Drift", status: "False", reason: "NoDrift", message: "", lastTransitionTime: saved)],
                         createdAt: saved),
            ObjectStatus(kind: .dataContract, name: "tx", sync: .synced, health: .healthy, phase: .valid, message: "", createdAt: saved),
        ])
        let failure = StoreHealth.Failure(operation: "saving status", message: "database or disk is full", since: saved + 60, failedWrites: 1, pendingWrites: 0)
        let shown = document.showing(failure)
        #expect(shown.revision.error == "\(failure.summary); fetch main: timeout")
        #expect(shown.revision.commit == "c1")
        for object in shown.objects {
            #expect(object.conditions.first?.type == "StoreUnavailable")
            #expect(object.conditions.first?.lastTransitionTime == saved + 60)
            #expect(object.conditions.first?.message.hasPrefix("status as of 2027-01-15T08:00:00Z: newer status cannot be saved; store unavailable: saving status failed") == true)
            #expect(object.phase == document.objects.first { $0.key == object.key }?.phase)
        }
        #expect(shown.objects[0].conditions.map(\.type) == ["StoreUnavailable", "Drift"])
    }

    @Test("the loop retries a failing store with the action backoff, never waiting longer than the interval")
    func retryWait() {
        #expect(ReconcileLoop.wait(afterStoreFailures: 1, interval: .seconds(15)) == .seconds(5))
        #expect(ReconcileLoop.wait(afterStoreFailures: 2, interval: .seconds(15)) == .seconds(10))
        #expect(ReconcileLoop.wait(afterStoreFailures: 6, interval: .seconds(15)) == .seconds(15))
        #expect(ReconcileLoop.wait(afterStoreFailures: 9, interval: .seconds(3600)) == .seconds(300))
    }
}
