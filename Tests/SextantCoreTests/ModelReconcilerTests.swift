import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore

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
        #expect(status.phase == "Serving")
        #expect(status.sync == .synced && status.health == .healthy)
        #expect(status.model?.stableRevision == 1 && status.model?.stableVersion == 1)
        #expect(status.model?.traffic == [TrafficEntry(revision: 1, version: 1, role: "stable", weight: 100)])
        #expect(status.conditions.map(\.type) == ["NoIncumbent"])
        let reasons = store.data.withLock { $0.events.filter { $0.kind == "Model" }.map(\.reason) }
        #expect(reasons == ["Trained", "Evaluated", "Packaged", "Deployed"])
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
        #expect(failed.phase == "GateFailed")
        #expect(failed.sync == .outOfSync && failed.health == .healthy)
        #expect(failed.model?.stableRevision == 1 && failed.model?.candidateRevision == 2)
        #expect(failed.conditions.contains { $0.type == "Stalled" })
        #expect(failed.message.contains("auc 0.5 breaks min 0.9"))
        #expect(try await reconciler.pass().actions == 0, "not retried for the same fingerprint")

        runtime.models.withLock { $0.auc = 0.97 }
        store.data.withLock { $0.requests.append(OperatorRequest(action: "retry", model: "fraud", actor: "user:ada", time: Date())) }
        let retried = try Self.model(try await reconciler.pass())
        #expect(retried.phase == "Serving")
        #expect(retried.model?.stableRevision == 2)
        let replicas = store.data.withLock { $0.objects[Self.key]?.model?.replicas ?? [] }
        #expect(replicas.map(\.revision) == [2])
        #expect(runtime.models.withLock { $0.running } == Set(replicas.map(\.pid)), "r1's replica was stopped once r2's was ready")
        #expect(store.data.withLock { $0.events.contains { $0.reason == "RetryRequested" && $0.actor == "user:ada" } })
    }

    @Test("a trainer that fails is not retried until Git changes; a gates-only change re-evaluates without training")
    func trainingFailure() async throws {
        let source = FakeSource()
        source.push("c1", Self.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        runtime.models.withLock { $0.trainingFailure = "TrainerFailed" }
        let reconciler = Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock())
        let failed = try Self.model(try await reconciler.pass())
        #expect(failed.phase == "TrainingFailed" && failed.health == .missing)
        #expect(try await reconciler.pass().actions == 0)

        runtime.models.withLock { $0.trainingFailure = nil }
        source.push("c2", Self.files(seed: 3))
        #expect(try Self.model(try await reconciler.pass()).phase == "Serving")
        source.push("c3", Self.files(seed: 3, gates: "[{metric: auc, min: 0.8}]"))
        let reevaluated = try await reconciler.pass()
        #expect(try Self.model(reevaluated).phase == "Serving")
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
            #expect(store.data.withLock { $0.events.filter { $0.reason == "ReplicaRestarted" }.count } == crash)
        }
        #expect(last?.health == .degraded)
        #expect(last?.conditions.contains { $0.type == "CrashLoop" } == true)
        runtime.models.withLock { $0.running.removeAll() }
        #expect(try await reconciler.pass().actions == 0, "the next restart waits for its backoff")
    }
}

/// Canary rollouts through the reconciler, with a fake runtime and gateway.
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
        #expect(started.phase == "RollingOut" && started.health == .progressing && started.sync == .outOfSync)
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
        #expect(promoted.phase == "Serving" && promoted.sync == .synced)
        #expect(promoted.model?.stableRevision == 2 && promoted.model?.rollout == nil)
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.revision) } == [2])
        let old = store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.retiring.first?.replicas.first?.pid }
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
        let reasons = store.data.withLock { $0.events.filter { $0.kind == "Model" }.map(\.reason) }
        #expect(reasons.suffix(4) == ["RolloutStarted", "StepAdvanced", "Promoted", "ScaledDown"], "\(reasons)")
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
        let candidate = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.rollout?.replicas.first?.pid })

        Self.traffic(runtime, requests: 10, errors: 5)
        clock.advance(1)
        let aborted = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(aborted.phase == "RolloutAborted" && aborted.health == .degraded && aborted.sync == .outOfSync)
        #expect(aborted.model?.traffic.map(\.revision) == [1])
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models["fraud"]?.backends.map(\.revision) } == [1])
        #expect(runtime.models.withLock { !$0.running.contains(candidate) })
        #expect(try await reconciler.pass().actions == 0, "not rolled out again for the same revision")

        store.data.withLock { $0.requests.append(OperatorRequest(action: "retry", model: "fraud", actor: "user:ada", time: Date())) }
        Self.traffic(runtime, requests: 10)
        let retried = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(retried.phase == "RollingOut", "retry starts the canary again: \(retried.message)")
    }
}
