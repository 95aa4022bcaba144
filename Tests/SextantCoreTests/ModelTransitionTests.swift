import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// What an outcome means for a model, as tables of (state, outcome) → (state, events, effects).
@Suite struct ModelTransitionTests {
    static let now = ModelPlannerTests.now

    static func replica(_ revision: Int, _ index: Int = 0, livedSeconds: Double = 5) -> Replica {
        Replica(revision: revision, index: index, endpoint: "http://127.0.0.1:\(9000 + 100 * revision + index)", log: "log",
                startedAt: now.addingTimeInterval(-livedSeconds), handle: RuntimeHandle(id: "r\(revision)-\(index)-\(livedSeconds)", data: [:]))
    }

    static func launch(_ revision: Int) -> ServingLaunch {
        ServingLaunch(model: "fraud", version: revision, revision: revision, modelDirectory: "models/fraud/v\(revision)", runtime: .builtin)
    }

    static func serving(_ revision: Int, role: ServingJob.Role = .stable, replicas: Int = 1, keep: [Replica] = [], retire: [Replica] = []) -> ServingJob {
        ServingJob(model: "fraud", role: role, launch: launch(revision), workspace: nil, replicas: replicas, keep: keep, retire: retire)
    }

    /// r1 (and r2 when asked) in the registry, r1 serving since an hour ago.
    static func registry(revisions: [Int] = [1, 2], failedEvaluation: Int? = nil) -> ModelRegistry {
        var registry = ModelRegistry(model: "fraud")
        for number in revisions {
            registry.revisions.append(ModelRevision(number: number, version: number, servingFingerprint: "s", commit: "c1", servingLaunch: launch(number),
                                                    evaluation: number == failedEvaluation ? evaluation(passed: false) : nil,
                                                    served: number == 1 ? [ServedInterval(from: now.addingTimeInterval(-3600))] : [], createdAt: now))
        }
        return registry
    }

    static func evaluation(passed: Bool) -> Evaluation {
        Evaluation(fingerprint: "e", metrics: ["auc": passed ? 0.95 : 0.7], gates: [GateResult(metric: "auc", value: passed ? 0.95 : 0.7, min: 0.9, max: nil, passed: passed)],
                   incumbent: nil, holdoutRows: 20, seconds: 0.5, evaluatedAt: now)
    }

    /// r1 stable on one replica.
    static let stable = ModelObservation(stableRevision: 1, replicas: [replica(1)])

    /// r1 stable, r2 a canary at 10%.
    static func canary(phase: RolloutPhase = .canary) -> ModelObservation {
        var state = stable
        var rollout = RolloutPlannerTests.rollout(phase: phase, weight: phase == .canary ? 10 : 0)
        rollout.replicas = [replica(2)]
        state.rollout = rollout
        return state
    }

    /// After blueGreen's switch: r2 stable, r1 warm until its scale-down.
    static let switched: ModelObservation = {
        var rollout = RolloutPlannerTests.rollout(phase: .switched, weight: 100)
        rollout.replicas = []
        return ModelObservation(stableRevision: 2, replicas: [replica(2)], rollout: rollout,
                                retiring: [RetiringRevision(revision: 1, replicas: [replica(1)], until: now.addingTimeInterval(30))])
    }()

    static let trainingJob: TrainingJob = {
        let data = TrainingData(dataset: "tx", location: .file(path: "/srv/tx.csv"), sha256: "abc", task: .binaryClassification, target: "label", targetType: .boolean,
                                features: [FeatureColumn(name: "amount", logicalType: .number)], holdout: 0.2, splitSeed: 1, stratify: true)
        return TrainingJob(model: "fraud", fingerprint: "train-fp", commit: "c1", data: data, trainer: .builtin(.logisticRegression), hyperparameters: [:],
                           seed: 1, timeout: .seconds(60), contractSha256: "x")
    }()

    /// What a row expects: the observation's gist, the events' reasons and the effects.
    struct Expected: Equatable, CustomStringConvertible {
        var stable: Int?
        var replicas: [Int]
        var rollout: String?
        var stall: StallPhase?
        var crashes: Int = 0
        var retiring: [Int] = []
        var failureAttempts: Int?
        var reasons: [EventReason]
        var effects: [String] = []
        var succeeded = true

        var description: String {
            "stable \(stable.map { "r\($0)" } ?? "none") on \(replicas), rollout \(rollout ?? "none"), stall \(stall?.rawValue ?? "none"), crashes \(crashes), "
                + "retiring \(retiring), failure attempts \(failureAttempts.map(String.init) ?? "none"), events \(reasons), effects \(effects), succeeded \(succeeded)"
        }
    }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var state: ModelObservation
        var registry: ModelRegistry = ModelTransitionTests.registry()
        var failure: ActionFailure?
        var policy: @Sendable () throws -> ResolvedPolicy? = { nil }
        var outcome: ModelOutcome
        var expected: Expected
    }

    static func effect(_ effect: ModelEffect) -> String {
        switch effect {
        case .publishRoutes: "publish"
        case .stopWhenDrained(let revision, let replicas): "drain r\(revision) \(replicas.map(\.index))"
        case .stopReplicas(let replicas): "stop " + replicas.map { "r\($0.revision)/\($0.index)" }.joined(separator: ",")
        }
    }

    static let advance = RolloutChange.advance(step: 1, to: PolicyStep(weight: 50, pause: .none), window: SampleWindow(instance: "g1", baseline: nil, startedAt: now),
                                                message: "step 2/2: 50% to r2")
    static let toSwitch = RolloutChange.advance(step: 1, to: PolicyStep(weight: 100, pause: .none, phase: .switched),
                                                 window: SampleWindow(instance: "g1", baseline: nil, startedAt: now), message: "switched to r2")

    static let rows: [Row] = [
        Row(description: "trained: v1 joins the registry",
            state: ModelObservation(), registry: ModelRegistry(model: "fraud"), outcome: .trained(trainingJob, version: 1, TrainingOutput(modelDirectory: "models/fraud/v1", trainingRows: 80, holdoutRows: 20), seconds: 1),
            expected: Expected(stable: nil, replicas: [], reasons: [.trained])),
        Row(description: "a training that succeeded ends the backoff of its fingerprint",
            state: ModelObservation(), registry: ModelRegistry(model: "fraud"),
            failure: ActionFailure(fingerprint: "train-fp", attempts: 2, message: "disk full", nextAttemptAt: now),
            outcome: .trained(trainingJob, version: 1, TrainingOutput(modelDirectory: "models/fraud/v1", trainingRows: 80, holdoutRows: 20), seconds: 1),
            expected: Expected(stable: nil, replicas: [], reasons: [.trained])),
        Row(description: "the trainer's own failure stops on its fingerprint",
            state: stable, outcome: .failed(.train(trainingJob), ActionError("exit 1", reason: "TrainerFailed"), attempt: 1),
            expected: Expected(stable: 1, replicas: [0], stall: .trainingFailed, reasons: [.trainingFailed], succeeded: false)),
        Row(description: "a failure of the machine is retried with backoff",
            state: stable, failure: ActionFailure(fingerprint: "train-fp", attempts: 1, message: "disk full", nextAttemptAt: now),
            outcome: .failed(.train(trainingJob), ActionError("disk full"), attempt: 2),
            expected: Expected(stable: 1, replicas: [0], failureAttempts: 2, reasons: [.trainFailed], succeeded: false)),
        Row(description: "first deploy: r1 takes everything",
            state: ModelObservation(), outcome: .served(serving(1), started: [replica(1)]),
            expected: Expected(stable: 1, replicas: [0], reasons: [.deployed], effects: ["publish"])),
        Row(description: "replace: r2 takes everything, then r1 stops once drained",
            state: stable, outcome: .served(serving(2, retire: [replica(1)]), started: [replica(2)]),
            expected: Expected(stable: 2, replicas: [0], reasons: [.deployed], effects: ["publish", "drain r1 [0]"])),
        Row(description: "a replacement ends a canary in flight: its servers drain too",
            state: canary(), outcome: .served(serving(3, retire: [replica(1)]), started: [replica(3)]),
            expected: Expected(stable: 3, replicas: [0], reasons: [.deployed], effects: ["publish", "drain r2 [0]", "drain r1 [0]"])),
        Row(description: "a dead replica of the stable revision is restarted and counted",
            state: ModelObservation(stableRevision: 1, replicas: [replica(1, 0), replica(1, 1)]),
            outcome: .served(serving(1, replicas: 2, keep: [replica(1, 1)]), started: [replica(1, 0, livedSeconds: 0)]),
            expected: Expected(stable: 1, replicas: [0, 1], crashes: 1, reasons: [.replicaRestarted], effects: ["publish"])),
        Row(description: "a replica that lived over a minute starts the crash count again",
            state: ModelObservation(stableRevision: 1, replicas: [replica(1, 0, livedSeconds: 120)], crashes: 2),
            outcome: .served(serving(1), started: [replica(1, 0, livedSeconds: 0)]),
            expected: Expected(stable: 1, replicas: [0], crashes: 1, reasons: [.replicaRestarted], effects: ["publish"])),
        Row(description: "scaling up starts what is missing",
            state: stable, outcome: .served(serving(1, replicas: 2, keep: [replica(1)]), started: [replica(1, 1)]),
            expected: Expected(stable: 1, replicas: [0, 1], reasons: [.scaled], effects: ["publish"])),
        Row(description: "a restart that fails backs off (crash-loop count)",
            state: ModelObservation(stableRevision: 1, replicas: [replica(1)]),
            outcome: .failed(.serve(serving(1)), ActionError("port taken"), attempt: 1),
            expected: Expected(stable: 1, replicas: [], crashes: 1, reasons: [.restartFailed], succeeded: false)),
        Row(description: "a candidate starts at its first step",
            state: stable, policy: { try RolloutPlannerTests.resolved() }, outcome: .served(serving(2, role: .candidate), started: [replica(2)]),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 1 at 10%", reasons: [.rolloutStarted], effects: ["publish"])),
        Row(description: "a dead candidate replica is restarted; the rollout counts the crash",
            state: canary(), outcome: .served(serving(2, role: .candidate), started: [replica(2, 0, livedSeconds: 0)]),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 1 at 10%, 1 crash", reasons: [.replicaRestarted], effects: ["publish"])),
        Row(description: "a candidate that cannot be brought back ends its canary",
            state: canary(), outcome: .failed(.serve(serving(2, role: .candidate)), ActionError("never ready", reason: "NotReady"), attempt: 1),
            expected: Expected(stable: 1, replicas: [0], stall: .rolloutAborted, reasons: [.rolloutAborted], effects: ["publish", "stop r2/0"], succeeded: false)),
        Row(description: "a canary step: the new weight is routed",
            state: canary(), outcome: .rolloutChanged(revision: 2, advance),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 2 at 50%", reasons: [.stepAdvanced], effects: ["publish"])),
        Row(description: "a failed verdict within the limit restarts the window",
            state: canary(), outcome: .rolloutChanged(revision: 2, .restartWindow(window: SampleWindow(instance: "g1", baseline: nil, startedAt: now), failures: 1, message: "errors 0.9")),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 1 at 10%", reasons: [.analysisFailed])),
        Row(description: "promotion: r2 stable, r1 warm until its scale-down",
            state: canary(), outcome: .rolloutChanged(revision: 2, .promote(message: "every step passed")),
            expected: Expected(stable: 2, replicas: [0], retiring: [1], reasons: [.promoted], effects: ["publish"])),
        Row(description: "abort: all traffic back to r1, then the candidate stops once drained",
            state: canary(), outcome: .rolloutChanged(revision: 2, .abort(reason: "AnalysisFailed", message: "errors breached")),
            expected: Expected(stable: 1, replicas: [0], stall: .rolloutAborted, reasons: [.rolloutAborted], effects: ["publish", "drain r2 [0]"])),
        Row(description: "a superseded rollout is not the candidate's failure",
            state: canary(), outcome: .rolloutChanged(revision: 2, .abort(reason: RolloutChange.superseded, message: "r3 replaces it")),
            expected: Expected(stable: 1, replicas: [0], reasons: [.superseded], effects: ["publish", "drain r2 [0]"])),
        Row(description: "an experiment's winner: ExperimentConcluded with its numbers, then the promotion",
            state: canary(phase: .experiment),
            outcome: .rolloutChanged(revision: 2, .concludeExperiment(report: ExperimentPlannerTests.report(), then: .promote(message: "r2 wins"))),
            expected: Expected(stable: 2, replicas: [0], retiring: [1], reasons: [.experimentConcluded, .promoted], effects: ["publish"])),
        Row(description: "an experiment's loser: ExperimentConcluded, then traffic back to r1",
            state: canary(phase: .experiment),
            outcome: .rolloutChanged(revision: 2, .concludeExperiment(report: ExperimentPlannerTests.report(),
                                                                      then: .abort(reason: RolloutChange.experimentLost, message: "r2 loses"))),
            expected: Expected(stable: 1, replicas: [0], stall: .rolloutAborted, reasons: [.experimentConcluded, .rolloutAborted], effects: ["publish", "drain r2 [0]"])),
        Row(description: "an experiment's winner under decision: report waits, its numbers kept",
            state: canary(phase: .experiment),
            outcome: .rolloutChanged(revision: 2, .concludeExperiment(report: ExperimentPlannerTests.report(), then: .suspend(message: "r2 wins; decision: report"))),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 experiment step 1 at 0%", reasons: [.experimentConcluded, .rolloutPaused])),
        Row(description: "a change for another revision changes nothing",
            state: canary(), outcome: .rolloutChanged(revision: 7, advance),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 1 at 10%", reasons: [])),
        Row(description: "blueGreen's switch: the preview is stable at once, r1 stays warm",
            state: canary(phase: .preview), outcome: .rolloutChanged(revision: 2, toSwitch),
            expected: Expected(stable: 2, replicas: [0], rollout: "r2 switched step 2 at 100%", retiring: [1], reasons: [.switched], effects: ["publish"])),
        Row(description: "after the switch, the guard held: the warm revision stops",
            state: switched, outcome: .rolloutChanged(revision: 2, .promote(message: "the guard held")),
            expected: Expected(stable: 2, replicas: [0], reasons: [.promoted], effects: ["stop r1/0"])),
        Row(description: "after the switch, a failed verdict switches back to the warm revision",
            state: switched, outcome: .rolloutChanged(revision: 2, .abort(reason: "AnalysisFailed", message: "errors breached")),
            expected: Expected(stable: 1, replicas: [0], stall: .rolloutAborted, reasons: [.rolloutAborted], effects: ["publish", "drain r2 [0]"])),
        Row(description: "a retiring revision stops after its scale-down delay",
            state: switched, outcome: .retired(switched.retiring[0]),
            expected: Expected(stable: 2, replicas: [0], rollout: "r2 switched step 1 at 100%", reasons: [.scaledDown], effects: ["stop r1/0"])),
        Row(description: "a model removed from Git: out of the gateway, then its servers stop",
            state: canary(), outcome: .servingStopped([replica(1), replica(2)]),
            expected: Expected(stable: nil, replicas: [], reasons: [.servingStopped], effects: ["publish", "stop r1/0,r2/0"])),
        Row(description: "retry: the stop and the newest failed evaluation are forgotten",
            state: ModelObservation(stall: ModelStall(phase: .gateFailed, fingerprint: "e", reason: "GateFailed", message: "auc 0.7", at: now)),
            registry: registry(failedEvaluation: 2), outcome: .decided(.retry, actor: "user:ada"),
            expected: Expected(stable: nil, replicas: [], reasons: [.retryRequested])),
        Row(description: "promote is recorded on the rollout in flight",
            state: canary(), outcome: .decided(.promote, actor: "user:ada"),
            expected: Expected(stable: 1, replicas: [0], rollout: "r2 canary step 1 at 10%, promote asked by user:ada", reasons: [.promoteRequested])),
        Row(description: "abort with no rollout in flight changes nothing",
            state: stable, outcome: .decided(.abort, actor: "user:ada"),
            expected: Expected(stable: 1, replicas: [0], reasons: [.abortRequested])),
    ]

    @Test("model transitions", arguments: rows)
    func transition(_ row: Row) throws {
        let object = ObservedObject(key: ObjectKey(.model, "fraud"), model: row.state, failure: row.failure, updatedAt: Self.now.addingTimeInterval(-60))
        let result = ModelTransition.apply(row.outcome, to: object, registry: row.registry,
                                           context: .init(model: "fraud", commit: "c1", actor: "sextant", policy: try row.policy(), traffic: nil, now: Self.now))
        let state = try #require(result.object.model)
        let rollout = state.rollout.map { rollout in
            "r\(rollout.revision) \(rollout.phase.rawValue) step \(rollout.step + 1) at \(rollout.weight)%"
                + (rollout.crashes > 0 ? ", \(rollout.crashes) crash\(rollout.crashes == 1 ? "" : "es")" : "")
                + (rollout.promoteRequested.map { ", promote asked by \($0)" } ?? "")
        }
        let actual = Expected(stable: state.stableRevision, replicas: state.replicas.map(\.index), rollout: rollout, stall: state.stall?.phase,
                              crashes: state.crashes, retiring: state.retiring.map(\.revision), failureAttempts: result.object.failure?.attempts,
                              reasons: result.events.map(\.reason), effects: result.effects.map(Self.effect), succeeded: result.succeeded)
        #expect(actual == row.expected)
        if case .rolloutChanged(_, .concludeExperiment(let report, _)) = row.outcome {
            #expect(state.experiment == report, "the decided numbers are kept: a restart does not decide again")
        }
        #expect(result.object.updatedAt == Self.now)
        #expect(result.events.allSatisfy { $0.time == Self.now && $0.kind == .model && $0.name == "fraud" })
    }

    @Test("the registry follows traffic: who served, from when, at what share")
    func registryFollowsTraffic() throws {
        let context = ModelTransition.Context(model: "fraud", commit: "c1", actor: "sextant", policy: try RolloutPlannerTests.resolved(), traffic: nil, now: Self.now)
        let object = ObservedObject(key: ObjectKey(.model, "fraud"), model: Self.stable, updatedAt: Self.now)
        let started = ModelTransition.apply(.served(Self.serving(2, role: .candidate), started: [Self.replica(2)]), to: object, registry: Self.registry(), context: context)
        #expect(started.registry.revision(2)?.served == [ServedInterval(from: Self.now, peakWeight: 10)])
        let promoted = ModelTransition.apply(.rolloutChanged(revision: 2, .promote(message: "passed")), to: started.object, registry: started.registry, context: context)
        #expect(promoted.registry.revision(1)?.served.last?.until == Self.now)
        #expect(promoted.registry.revision(2)?.served == [ServedInterval(from: Self.now, peakWeight: 100)])
        #expect(promoted.object.model?.retiring.first?.until == Self.now.addingTimeInterval(context.policy?.scaleDownDelay ?? -1))
    }

    @Test("retry forgets only the newest revision's failed evaluation")
    func retryForgetsTheNewestFailedEvaluation() {
        let object = ObservedObject(key: ObjectKey(.model, "fraud"), model: ModelObservation(), updatedAt: Self.now)
        var registry = Self.registry(revisions: [1, 2], failedEvaluation: 2)
        registry.revisions[0].evaluation = Self.evaluation(passed: false)
        let result = ModelTransition.apply(.decided(.retry, actor: "user:ada"), to: object, registry: registry,
                                           context: .init(model: "fraud", commit: nil, actor: "sextant", policy: nil, traffic: nil, now: Self.now))
        #expect(result.registry.revision(2)?.evaluation == nil)
        #expect(result.registry.revision(1)?.evaluation?.passed == false)
        #expect(result.events.map(\.actor) == ["user:ada"])
        #expect(result.output == "failed evaluation of r2")
    }

    @Test("crash counting: each crash doubles the wait; a minute of life starts again", arguments: [
        (0, 5.0, 1, 5.0), (1, 5.0, 2, 10.0), (3, 5.0, 4, 40.0), (4, 61.0, 1, 5.0),
    ])
    func crashCounting(before: Int, lived: Double, after: Int, wait: Double) {
        let (crashes, next) = ModelTransition.crashed(after: before, lived: lived, at: Self.now)
        #expect(crashes == after)
        #expect(next == Self.now.addingTimeInterval(wait))
    }
}
