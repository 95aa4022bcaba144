import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantWire
import SextantTestSupport

/// The model lifecycle through the reconciler, with a fake runtime.
@Suite struct ModelReconcilerTests {
    static let key = ObjectKey(.model, "fraud")

    static func files(seed: Int = 0, gates: String = "[{metric: auc, min: 0.9}]", incumbent: Bool = false) -> [String: String] {
        var files = Manifests.basic
        files["model.yaml"] = ModelPlannerTests.model(gates: gates, seed: seed, incumbent: incumbent)
        return files
    }

    static func model(_ report: Reconciler.PassReport) throws -> ObjectStatus {
        try #require(report.status.objects.first { $0.key == key })
    }

    @Test("one pass trains, evaluates, packages and deploys the first revision; the next does nothing")
    func firstRevision() async throws {
        let source = FakeSource()
        source.push("c1", Self.files(incumbent: true))
        let store = MemoryStore(), runtime = FakeRuntime()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock())
        let first = try await reconciler.pass()
        let status = try Self.model(first)
        #expect(status.phase == .serving)
        #expect(status.sync == .synced && status.health == .healthy)
        #expect(status.model?.stableRevision == 1 && status.model?.stableVersion == 1)
        #expect(status.model?.traffic == [TrafficEntry(revision: 1, version: 1, role: "stable", weight: 100)])
        #expect(status.conditions.map(\.type) == ["NoIncumbent"])
        let reasons = store.data.withLock { $0.events.filter { $0.kind == .model }.map(\.reason) }
        #expect(reasons == [.trained, .evaluated, .packaged, .deployed])
        #expect(try await reconciler.pass().actions == 0)
        #expect(runtime.models.withLock { $0.trainings.count } == 1)
    }

    @Test("a revision that fails its gates stops, what serves keeps serving, and retry evaluates it again")
    func gateFailure() async throws {
        let source = FakeSource()
        source.push("c1", Self.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock())
        _ = try await reconciler.pass()

        runtime.models.withLock { $0.auc = 0.5 }
        source.push("c2", Self.files(seed: 1))
        let failed = try Self.model(try await reconciler.pass())
        #expect(failed.phase == .gateFailed)
        #expect(failed.sync == .outOfSync && failed.health == .healthy)
        #expect(failed.model?.stableRevision == 1 && failed.model?.candidateRevision == 2)
        #expect(failed.conditions.contains { $0.type == "Stalled" })
        #expect(failed.message.contains("auc 0.5 breaks min 0.9"))
        #expect(try await reconciler.pass().actions == 0, "not retried for the same fingerprint")

        runtime.models.withLock { $0.auc = 0.97 }
        store.data.withLock { $0.requests.append(OperatorRequest(decision: .retry, model: "fraud", actor: "user:ada", time: Date())) }
        let retried = try Self.model(try await reconciler.pass())
        #expect(retried.phase == .serving)
        #expect(retried.model?.stableRevision == 2)
        let replicas = store.data.withLock { $0.objects[Self.key]?.model?.replicas ?? [] }
        #expect(replicas.map(\.revision) == [2])
        #expect(runtime.models.withLock { $0.running } == Set(replicas.map(\.id)), "r1's replica was stopped once r2's was ready")
        #expect(store.data.withLock { $0.events.contains { $0.reason == .retryRequested && $0.actor == "user:ada" } })
    }

    @Test("a trainer that fails is not retried until Git changes; a gates-only change re-evaluates without training")
    func trainingFailure() async throws {
        let source = FakeSource()
        source.push("c1", Self.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        runtime.models.withLock { $0.trainingFailure = "TrainerFailed" }
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock())
        let failed = try Self.model(try await reconciler.pass())
        #expect(failed.phase == .trainingFailed && failed.health == .missing)
        #expect(try await reconciler.pass().actions == 0)

        runtime.models.withLock { $0.trainingFailure = nil }
        source.push("c2", Self.files(seed: 3))
        #expect(try Self.model(try await reconciler.pass()).phase == .serving)
        source.push("c3", Self.files(seed: 3, gates: "[{metric: auc, min: 0.8}]"))
        let reevaluated = try await reconciler.pass()
        #expect(try Self.model(reevaluated).phase == .serving)
        #expect(runtime.models.withLock { ($0.trainings.count, $0.evaluations.count) } == (2, 2))
    }

    @Test("a replica that dies is restarted with backoff, and CrashLoop after three crashes in a row")
    func crashLoop() async throws {
        let source = FakeSource()
        source.push("c1", Self.files())
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock)
        _ = try await reconciler.pass()
        var last: ObjectStatus?
        for crash in 1...3 {
            runtime.models.withLock { $0.running.removeAll() }
            clock.advance(Backoff.delay(afterAttempts: crash) + 1)
            let report = try await reconciler.pass()
            last = try Self.model(report)
            #expect(store.data.withLock { $0.events.filter { $0.reason == .replicaRestarted }.count } == crash)
        }
        #expect(last?.health == .degraded)
        #expect(last?.conditions.contains { $0.type == "CrashLoop" } == true)
        runtime.models.withLock { $0.running.removeAll() }
        #expect(try await reconciler.pass().actions == 0, "the next restart waits for its backoff")
    }

    @Test("the crash count forgives: after a minute of serving, a crash restarts at once and counts as the first in a row")
    func crashCountForgives() async throws {
        let source = FakeSource()
        source.push("c1", Self.files())
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock)
        _ = try await reconciler.pass()
        for crash in 1...3 {
            runtime.models.withLock { $0.running.removeAll() }
            clock.advance(Backoff.delay(afterAttempts: crash) + 1)
            _ = try await reconciler.pass()
        }
        #expect(try Self.model(try await reconciler.pass()).health == .degraded)
        // The third restart serves, ready, for more than a minute; then it crashes again.
        clock.advance(61)
        #expect(try Self.model(try await reconciler.pass()).health == .healthy, "serving again: no CrashLoop")
        runtime.models.withLock { $0.running.removeAll() }
        let report = try await reconciler.pass()
        #expect(report.actions == 1, "restarted at once, with no backoff")
        let restarted = try #require(store.data.withLock { $0.events.last { $0.reason == .replicaRestarted } })
        #expect(restarted.message.contains("(crash 1 in a row)"), "\(restarted.message)")
        #expect(try Self.model(report).health == .healthy)
    }
}

/// Rollouts of every strategy through the reconciler, with a fake runtime and gateway.
@Suite struct RolloutReconcilerTests {
    static func files(seed: Int) -> [String: String] {
        var files = Manifests.basic
        files["model.yaml"] = ModelPlannerTests.model(seed: seed).replacingOccurrences(of: "serving: {replicas: 1}",
                                                                                      with: "serving: {replicas: 1, rollout: canary, slos: [errors]}")
        files["policy.yaml"] = RolloutPlannerTests.policy(steps: "[{setWeight: 10}, {setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}",
                                                          extra: "  scaleDownDelay: 10s")
        files["errors.yaml"] = RolloutPlannerTests.errorsSLO
        return files
    }

    static func traffic(_ runtime: FakeRuntime, requests: UInt64, errors: UInt64 = 0) {
        runtime.dataPlane.withLock {
            $0.traffic?.revisions = [RevisionCounters(model: "fraud", revision: 2, requests: requests, errors: errors, latency: [[2000, requests - errors]])]
        }
    }

    @Test("a canary: the candidate beside stable, routes pushed at each step, steps on samples, promotion, the old stable scaled down after its delay")
    func canary() async throws {
        let source = FakeSource()
        source.push("c1", Self.files(seed: 0))
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock,
                                    options: .init(gateway: GatewayAddress(host: "127.0.0.1", port: 8080)))
        _ = try await reconciler.pass()
        #expect(runtime.dataPlane.withLock { $0.gatewayStarts } == 1)
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.weight) } == [100])

        source.push("c2", Self.files(seed: 1))
        let started = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(started.phase == .rollingOut && started.health == .progressing && started.sync == .outOfSync)
        #expect(started.model?.traffic.map(\.weight) == [90, 10])
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.weight) } == [90, 10])
        #expect(started.message.hasPrefix("step 1/2: 10% to r2 (v2)"), "\(started.message)")

        Self.traffic(runtime, requests: 100)
        clock.advance(1)
        let stepped = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(stepped.model?.rollout?.step == 2)
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.weight) } == [50, 50])
        #expect(stepped.model?.rollout?.objectives.first?.samples == 0, "the new step's window starts on the current counters")

        Self.traffic(runtime, requests: 200)
        clock.advance(1)
        let promoted = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(promoted.phase == .serving && promoted.sync == .synced)
        #expect(promoted.model?.stableRevision == 2 && promoted.model?.rollout == nil)
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.revision) } == [2])
        let old = store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.retiring.first?.replicas.first?.id }
        #expect(old.map { pid in runtime.models.withLock { $0.running.contains(pid) } } == true, "r1 stays warm for scaleDownDelay")

        runtime.dataPlane.withLock {
            $0.traffic?.revisions = [RevisionCounters(model: "fraud", revision: 2, requests: 1200, errors: 3, latency: [[2000, 1197]])]
        }
        clock.advance(11)
        let later = try await reconciler.pass()
        let slo = try #require(later.status.objects.first { $0.kind == .slo })
        #expect(slo.message.contains("r2 over the last"), "\(slo.message)")
        #expect(slo.message.contains("% of the error budget left"), "\(slo.message)")
        #expect(old.map { pid in runtime.models.withLock { !$0.running.contains(pid) } } == true)
        let reasons = store.data.withLock { $0.events.filter { $0.kind == .model }.map(\.reason) }
        #expect(reasons.suffix(4) == [.rolloutStarted, .stepAdvanced, .promoted, .scaledDown], "\(reasons)")
    }

    static func files(seed: Int, policy: String) -> [String: String] {
        var files = Self.files(seed: seed)
        files["policy.yaml"] = policy
        return files
    }

    static func reconciler(_ source: FakeSource, _ store: MemoryStore, _ runtime: FakeRuntime, _ clock: ManualClock) -> Reconciler {
        Reconciler(source: source, store: store, runtime: runtime, clock: clock, options: .init(gateway: GatewayAddress(host: "127.0.0.1", port: 8080)))
    }

    static func pushed(_ runtime: FakeRuntime) -> [RouteBackend] {
        runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends ?? [] }
    }

    static let blueGreen = RolloutPlannerTests.strategyPolicy("blueGreen", "  blueGreen: {previewDuration: 1s}\n  analysis: {interval: 1s, minSamples: 20}")
        .replacingOccurrences(of: "  analysis: {interval: 5s, minSamples: 50}\n", with: "").replacingOccurrences(of: "scaleDownDelay: 30s", with: "scaleDownDelay: 10s")

    @Test("blueGreen: the preview gets mirrored traffic, the switch makes it stable at once, the guard holds for scaleDownDelay, then the old revision stops")
    func blueGreenSwitches() async throws {
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        source.push("c1", Self.files(seed: 0, policy: Self.blueGreen))
        let reconciler = Self.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()
        let old = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.first?.id })

        source.push("c2", Self.files(seed: 1, policy: Self.blueGreen))
        let preview = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(preview.message.hasPrefix("preview: 100% of requests mirrored to r2 (v2)"), "\(preview.message)")
        #expect(preview.model?.traffic.map(\.role) == ["stable", "preview", "header"])
        #expect(preview.model?.rollout?.phase == .preview)
        #expect(Self.pushed(runtime).map { [$0.revision, $0.weight, $0.mirrorPercent ?? -1] } == [[1, 100, -1], [2, 0, 100]])

        Self.traffic(runtime, requests: 100)
        clock.advance(2)
        let switched = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(switched.model?.stableRevision == 2 && switched.model?.candidateRevision == nil, "the stable revision changes at the switch")
        #expect(switched.model?.rollout?.phase == .switched && switched.model?.rollout?.previousRevision == 1)
        #expect(switched.message.hasPrefix("switched to r2 (v2)"), "\(switched.message)")
        #expect(Self.pushed(runtime).map(\.revision) == [2])
        #expect(runtime.models.withLock { $0.running.contains(old) }, "r1 stays warm for the guard")
        let history = store.data.withLock { $0.registries["fraud"]?.revisions.map { ($0.number, $0.served.last?.until == nil) } }
        #expect(history?.map(\.0) == [1, 2] && history?.map(\.1) == [false, true], "r1's service ended at the switch")

        Self.traffic(runtime, requests: 200)
        clock.advance(11)
        let held = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(held.phase == .serving && held.model?.rollout == nil)
        #expect(runtime.models.withLock { !$0.running.contains(old) }, "the guard held: r1 stopped")
        let reasons = store.data.withLock { $0.events.filter { $0.kind == .model }.map(\.reason) }
        #expect(reasons.suffix(3) == [.rolloutStarted, .switched, .promoted], "\(reasons)")
    }

    @Test("blueGreen: a failed verdict after the switch switches back to the warm revision; RolloutAborted")
    func blueGreenSwitchesBack() async throws {
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        source.push("c1", Self.files(seed: 0, policy: Self.blueGreen))
        let reconciler = Self.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()
        let old = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.first?.id })
        source.push("c2", Self.files(seed: 1, policy: Self.blueGreen))
        _ = try await reconciler.pass()
        Self.traffic(runtime, requests: 100)
        clock.advance(2)
        _ = try await reconciler.pass()
        let new = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.first?.id })

        Self.traffic(runtime, requests: 120, errors: 10)
        clock.advance(1)
        let back = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(back.phase == .rolloutAborted && back.health == .degraded)
        #expect(back.model?.stableRevision == 1)
        #expect(Self.pushed(runtime).map(\.revision) == [1])
        #expect(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.map(\.id) } == [old], "the warm servers take it back")
        #expect(runtime.models.withLock { $0.running.contains(old) && !$0.running.contains(new) })
        #expect(try await reconciler.pass().actions == 0, "not switched again for the same revision")
    }

    static let shadow = RolloutPlannerTests.strategyPolicy("shadow", "  shadow: {mirrorPercent: 50, duration: 1s}\n  steps: [{setWeight: 50}]\n  analysis: {interval: 1s, minSamples: 20}")
        .replacingOccurrences(of: "  analysis: {interval: 5s, minSamples: 50}\n", with: "")

    @Test("shadow: mirrored copies for its duration, then the canary steps, then promotion; or an abort that leaves stable alone")
    func shadowThenCanary() async throws {
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        source.push("c1", Self.files(seed: 0, policy: Self.shadow))
        let reconciler = Self.reconciler(source, store, runtime, clock)
        _ = try await reconciler.pass()
        source.push("c2", Self.files(seed: 1, policy: Self.shadow))
        let shadowing = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(shadowing.message.hasPrefix("shadow: 50% of requests mirrored to r2 (v2)"), "\(shadowing.message)")
        #expect(Self.pushed(runtime).map { [$0.revision, $0.weight, $0.mirrorPercent ?? -1] } == [[1, 100, -1], [2, 0, 50]])
        #expect(shadowing.model?.traffic.first { $0.role == "shadow" }?.mirrorPercent == 50)

        runtime.dataPlane.withLock {
            $0.traffic?.revisions = [RevisionCounters(model: "fraud", revision: 2, requests: 100, latency: [[2000, 100]],
                                                      agreement: .init(compared: 100, labels: 100, equalLabels: 97, scores: 200, scoreDifference: 4))]
        }
        let compared = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(compared.message.contains("97.0% equal labels, mean |Δscore| 0.020 over 100 requests"), "\(compared.message)")
        #expect(compared.model?.rollout?.agreement?.labelAgreement == 0.97)

        clock.advance(2)
        let canary = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(canary.model?.rollout?.phase == .canary && canary.model?.rollout?.step == 2)
        #expect(Self.pushed(runtime).map { [$0.revision, $0.weight, $0.mirrorPercent ?? -1] } == [[1, 50, -1], [2, 50, -1]])

        Self.traffic(runtime, requests: 10, errors: 8)
        clock.advance(1)
        let aborted = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(aborted.phase == .rolloutAborted && aborted.model?.stableRevision == 1)
        #expect(Self.pushed(runtime).map(\.revision) == [1])
    }

    @Test("a failing canary is aborted: traffic back to stable before its server stops; RolloutAborted until Git changes or retry")
    func abort() async throws {
        let source = FakeSource()
        source.push("c1", Self.files(seed: 0))
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: clock,
                                    options: .init(gateway: GatewayAddress(host: "127.0.0.1", port: 8080)))
        _ = try await reconciler.pass()
        source.push("c2", Self.files(seed: 1))
        _ = try await reconciler.pass()
        let candidate = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.rollout?.replicas.first?.id })

        Self.traffic(runtime, requests: 10, errors: 5)
        clock.advance(1)
        let aborted = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(aborted.phase == .rolloutAborted && aborted.health == .degraded && aborted.sync == .outOfSync)
        #expect(aborted.model?.traffic.map(\.revision) == [1])
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.revision) } == [1])
        #expect(runtime.models.withLock { !$0.running.contains(candidate) })
        #expect(try await reconciler.pass().actions == 0, "not rolled out again for the same revision")

        store.data.withLock { $0.requests.append(OperatorRequest(decision: .retry, model: "fraud", actor: "user:ada", time: Date())) }
        Self.traffic(runtime, requests: 10)
        let retried = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(retried.phase == .rollingOut, "retry starts the canary again: \(retried.message)")
    }
}
