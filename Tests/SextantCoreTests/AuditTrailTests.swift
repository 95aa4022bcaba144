import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// The audit trail tells the truth: events carry when their effect completed, and the
/// registry records every revision that took live traffic, with its peak share.
@Suite struct AuditTrailTests {
    static func registry(_ store: MemoryStore) -> ModelRegistry? {
        store.data.withLock { $0.registries["fraud"] }
    }

    static func event(_ store: MemoryStore, _ reason: EventReason) throws -> Event {
        try #require(store.data.withLock { $0.events.last { $0.reason == reason } }, "no \(reason) event")
    }

    /// c1's r1 deployed, then, a minute later, c2's r2 in its first canary step: the
    /// reconciler, when r1 began serving and when the canary began.
    static func canaryOfSecondCommit(_ store: MemoryStore, _ runtime: FakeRuntime, _ clock: ManualClock) async throws
        -> (reconciler: Reconciler, deployed: Date, canaryStarted: Date) {
        let source = FakeSource()
        source.push("c1", RolloutReconcilerTests.files(seed: 0))
        let reconciler = RolloutReconcilerTests.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()
        let deployed = clock.now()
        clock.advance(60)
        let canaryStarted = clock.now()
        source.push("c2", RolloutReconcilerTests.files(seed: 1))
        _ = try await reconciler.pass()
        return (reconciler, deployed, canaryStarted)
    }

    @Test("Trained, Evaluated, Packaged and Deployed carry the times their effects completed, not the pass's start")
    func eventsCarryWhenTheirEffectCompleted() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore(), runtime = FakeRuntime(effectClock: clock)
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock)
        _ = try await reconciler.pass()

        typealias Seconds = FakeRuntime.EffectSeconds
        let trained = start.addingTimeInterval(Seconds.training)
        let evaluated = trained.addingTimeInterval(Seconds.evaluation)
        let packaged = evaluated.addingTimeInterval(Seconds.packaging)
        let deployed = packaged.addingTimeInterval(Seconds.startingReplicas)
        #expect(try Self.event(store, .commitApplied).time == start)
        #expect(try Self.event(store, .trained).time == trained)
        #expect(try Self.event(store, .evaluated).time == evaluated)
        #expect(try Self.event(store, .packaged).time == packaged)
        #expect(try Self.event(store, .deployed).time == deployed)

        let registry = try #require(Self.registry(store))
        #expect(registry.versions.first?.createdAt == trained)
        #expect(registry.revisions.first?.createdAt == evaluated)
        #expect(registry.revisions.first?.evaluation?.evaluatedAt == evaluated, "the runtime's own completion time")
        #expect(registry.revisions.first?.served == [ServedInterval(from: deployed)], "served since it took traffic")
    }

    @Test("a rollout's first step begins when its replicas are ready: a pass that trained first does not shorten its pause")
    func firstStepBeginsWhenReady() async throws {
        let clock = ManualClock()
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(effectClock: clock)
        source.push("c1", RolloutReconcilerTests.files(seed: 0))
        let reconciler = RolloutReconcilerTests.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()

        clock.advance(60)
        let passStarted = clock.now()
        source.push("c2", RolloutReconcilerTests.files(seed: 1))
        let rollout = try #require(try ModelReconcilerTests.model(try await reconciler.pass()).model?.rollout)
        typealias Seconds = FakeRuntime.EffectSeconds
        #expect(rollout.stepStartedAt >= passStarted.addingTimeInterval(Seconds.training + Seconds.evaluation + Seconds.startingReplicas))
        #expect(rollout.stepStartedAt == (try Self.event(store, .rolloutStarted).time))
    }

    @Test("a canary aborted at 50% served from its first step to the abort, peak 50%, and is no rollback target")
    func abortedCanaryExposure() async throws {
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let (reconciler, deployed, canaryStarted) = try await Self.canaryOfSecondCommit(store, runtime, clock)

        #expect(Self.registry(store)?.revision(2)?.served == [ServedInterval(from: canaryStarted, peakWeight: 10)])

        RolloutReconcilerTests.traffic(runtime, requests: 100)
        clock.advance(1)
        #expect(try ModelReconcilerTests.model(try await reconciler.pass()).model?.rollout?.weight == 50)
        #expect(Self.registry(store)?.revision(2)?.served == [ServedInterval(from: canaryStarted, peakWeight: 50)], "one span, its peak raised")

        RolloutReconcilerTests.traffic(runtime, requests: 120, errors: 20)
        clock.advance(1)
        let aborted = clock.now()
        #expect(try ModelReconcilerTests.model(try await reconciler.pass()).phase == .rolloutAborted)
        let registry = try #require(Self.registry(store))
        #expect(registry.revision(2)?.served == [ServedInterval(from: canaryStarted, until: aborted, peakWeight: 50)])
        #expect(registry.revision(1)?.served == [ServedInterval(from: deployed)], "r1 served throughout")
        #expect(registry.revision(2)?.wasStable == false)
        #expect(Planner.recentStable(registry, excluding: 1, window: 3).isEmpty, "a canary's share does not make r2 a rollback target")
        #expect(try Self.event(store, .rolloutAborted).time == aborted)
    }

    @Test("a promoted canary serves on in one span from its first step, now at 100%; the old stable's span ends at the promotion")
    func promotedCanaryExposure() async throws {
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let (reconciler, deployed, canaryStarted) = try await Self.canaryOfSecondCommit(store, runtime, clock)
        for requests: UInt64 in [100, 200] {
            RolloutReconcilerTests.traffic(runtime, requests: requests)
            clock.advance(1)
            _ = try await reconciler.pass()
        }
        let promoted = clock.now()
        let registry = try #require(Self.registry(store))
        #expect(registry.revision(1)?.served == [ServedInterval(from: deployed, until: promoted)])
        #expect(registry.revision(2)?.served == [ServedInterval(from: canaryStarted, peakWeight: 100)])
        #expect(Planner.recentStable(registry, excluding: 2, window: 3) == [1])
    }

    @Test("mirrored copies are not serving: a shadow phase opens no span; the canary step after it does")
    func shadowIsNotServing() async throws {
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        source.push("c1", RolloutReconcilerTests.files(seed: 0, policy: RolloutReconcilerTests.shadow))
        let reconciler = RolloutReconcilerTests.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()
        source.push("c2", RolloutReconcilerTests.files(seed: 1, policy: RolloutReconcilerTests.shadow))
        _ = try await reconciler.pass()
        #expect(Self.registry(store)?.revision(2)?.served == [], "shadowing")
        RolloutReconcilerTests.traffic(runtime, requests: 100)
        clock.advance(2)
        let canary = clock.now()
        #expect(try ModelReconcilerTests.model(try await reconciler.pass()).model?.rollout?.phase == .canary)
        #expect(Self.registry(store)?.revision(2)?.served == [ServedInterval(from: canary, peakWeight: 50)])
    }

    @Test("every manifest kind is a kind of event that --kind and ?kind= accept, in any case")
    func everyManifestKindIsAnEventKind() {
        for kind in ManifestKind.allCases {
            #expect(EventKind(parsing: kind.rawValue)?.rawValue == kind.rawValue)
            #expect(EventKind(parsing: kind.rawValue.lowercased())?.rawValue == kind.rawValue)
        }
        #expect(EventKind(parsing: "repository") == .repository && EventKind(parsing: "Modle") == nil)
    }

    @Test("intervals stored before exposure was measured were the stable revision's: peak 100%")
    func storedIntervalsDecode() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let old = try decoder.decode(ServedInterval.self, from: Data(#"{"from":"2026-01-02T03:04:05Z","until":null}"#.utf8))
        #expect(old.peakWeight == 100 && old.wasStable && old.until == nil)
        let canary = try decoder.decode(ServedInterval.self, from: Data(#"{"from":"2026-01-02T03:04:05Z","until":"2026-01-02T03:09:05Z","peakWeight":10}"#.utf8))
        #expect(canary.peakWeight == 10 && !canary.wasStable)
    }
}
