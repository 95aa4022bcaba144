import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// The model lifecycle as tables of (desired, observed) → the model's next actions.
@Suite struct ModelPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)
    static let modelKey = ObjectKey(.model, "fraud")
    static let datasetKey = ObjectKey(.dataset, "tx")

    static func model(gates: String = "[{metric: auc, min: 0.9}]", seed: Int = 0, replicas: Int = 1, incumbent: Bool = false) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: fraud}
        spec:
          task: binary-classification
          dataset: tx
          target: label
          features: [amount]
          training: {trainer: logistic-regression, seed: \(seed)}
          evaluation:
            gates: \(gates)
        \(incumbent ? "    incumbent: {metric: auc, maxRegression: 0.01}\n" : "")  serving: {replicas: \(replicas)}

        """
    }

    static func desired(_ model: String = model(), uri: Bool = false) throws -> DesiredState {
        var files = Manifests.basic
        files["model.yaml"] = model
        if uri { files["dataset.yaml"] = Manifests.dataset("tx", uri: "file:///srv/data/tx.csv") }
        return try Manifests.desired(files, dataRoots: ["/srv/data"])
    }

    /// The dataset checked and validated (sha256 "abc").
    static func validated(_ desired: DesiredState, sha256: String = "abc") -> ObservedState {
        var observed = ObservedState(dataFiles: ["/srv/data/tx.csv": .hashed(sha256: sha256)])
        let check = Planner.plan(desired: desired, observed: observed, now: now).actions.first { $0.key == datasetKey }!
        observed.objects[datasetKey] = ObservedObject(
            key: datasetKey, fingerprint: check.fingerprint,
            dataset: DatasetResult(verdict: .validated, sha256: sha256, rows: 10, contract: ContractLabel(id: "urn:tx", name: "tx", version: "1.0.0"),
                                   checks: 3, violations: [], commit: "c1", checkedAt: now),
            updatedAt: now)
        return observed
    }

    static func decision(_ desired: DesiredState, _ observed: ObservedState) -> ModelDecision {
        Planner.decide(desired.models["fraud"]!, desired: desired, observed: observed, datasetCurrent: true, now: now)
    }

    /// The observed state after a model was trained (v1), evaluated (r1), packaged and,
    /// optionally, deployed.
    static func proposal(_ purpose: ChangePurpose) -> ProposedChange {
        ProposedChange(purpose: purpose, model: "fraud", baseCommit: "c1", title: "t", body: "b",
                       edits: [.setScalar(file: "dataset.yaml", field: "spec.sha256", value: "abc")], requestedAt: now)
    }

    static func served(_ desired: DesiredState, auc: Double = 0.95, packaged: Bool = true, deployed: Bool = true,
                       replicaAlive: Bool = true) -> ObservedState {
        var observed = validated(desired)
        guard case .train(let training) = decision(desired, observed).stage else { fatalError("expected training") }
        var registry = ModelRegistry(model: "fraud")
        registry.versions.append(ModelVersion(number: 1, fingerprint: training.fingerprint, commit: "c1", datasetSha256: "abc", contractSha256: "x",
                                              trainer: "logistic-regression", modelDirectory: "models/fraud/v1", trainingRows: 8, holdoutRows: 2,
                                              artifactDigest: packaged ? "sha256:1" : nil, createdAt: now))
        observed.registries["fraud"] = registry
        guard case .evaluate(let evaluation) = decision(desired, observed).stage else { fatalError("expected evaluation") }
        registry.revisions.append(ModelRevision(
            number: 1, version: 1, servingFingerprint: evaluation.servingFingerprint, commit: "c1", servingLaunch: evaluation.launch,
            evaluation: Evaluation(fingerprint: evaluation.fingerprint, metrics: ["auc": auc],
                                   gates: [GateResult(metric: "auc", value: auc, min: 0.9, max: nil, passed: auc >= 0.9)],
                                   incumbent: nil, holdoutRows: 2, seconds: 0.1, evaluatedAt: now),
            served: deployed ? [ServedInterval(from: now)] : [], createdAt: now))
        observed.registries["fraud"] = registry
        if deployed {
            let replica = Replica.fake(revision: 1, index: 0, id: "42", port: 9000, log: "log", startedAt: now)
            observed.objects[modelKey] = ObservedObject(key: modelKey, model: ModelObservation(stableRevision: 1, replicas: [replica]), updatedAt: now)
            observed.replicas["42"] = replicaAlive ? .ready : .exited("killed")
        }
        return observed
    }

    enum Expect: Equatable, CustomStringConvertible {
        case train
        case evaluate(revision: Int, incumbent: Int?)
        case package(version: Int)
        case deploy(revision: Int)
        case restart
        case stopServing
        case prune
        case retry
        case propose(ChangePurpose)

        var description: String {
            switch self {
            case .propose(let purpose): "propose \(purpose.rawValue)"
            case .train: "train"
            case .evaluate(let revision, let incumbent): "evaluate r\(revision)" + (incumbent.map { " vs r\($0)" } ?? "")
            case .package(let version): "package v\(version)"
            case .deploy(let revision): "deploy r\(revision)"
            case .restart: "restart"
            case .stopServing: "stop serving"
            case .prune: "prune"
            case .retry: "retry later"
            }
        }
    }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var desired: @Sendable () throws -> DesiredState
        var observed: @Sendable (DesiredState) throws -> ObservedState
        var expect: [Expect]
        var phase: String? = nil
    }

    static let rows: [Row] = [
        Row(description: "a model whose dataset is not checked yet waits",
            desired: { try desired() }, observed: { _ in ObservedState() }, expect: [], phase: "waitingForData"),
        Row(description: "a validated dataset and no version: train v1",
            desired: { try desired() }, observed: { validated($0) }, expect: [.train]),
        Row(description: "a dataset that breaks its contract: nothing to train",
            desired: { try desired() },
            observed: { desired in
                var observed = validated(desired)
                observed.objects[datasetKey]!.dataset!.verdict = .dataInvalid
                return observed
            }, expect: [], phase: "dataInvalid"),
        Row(description: "v1 trained: evaluate r1 with no incumbent",
            desired: { try desired() },
            observed: { desired in
                var observed = served(desired, deployed: false)
                observed.registries["fraud"]!.revisions = []
                return observed
            }, expect: [.evaluate(revision: 1, incumbent: nil)]),
        Row(description: "r1 passed: package v1",
            desired: { try desired() }, observed: { served($0, packaged: false, deployed: false) }, expect: [.package(version: 1)]),
        Row(description: "v1 packaged: deploy r1 (the first revision goes to 100% at once)",
            desired: { try desired() }, observed: { served($0, deployed: false) }, expect: [.deploy(revision: 1)]),
        Row(description: "r1 serves with its replicas alive: nothing to do",
            desired: { try desired() }, observed: { served($0) }, expect: [], phase: "serving"),
        Row(description: "r1 failed its gates: stopped, nothing retried",
            desired: { try desired() }, observed: { served($0, auc: 0.5, deployed: false) }, expect: [], phase: "stalled"),
        Row(description: "a training failure of this fingerprint is not retried",
            desired: { try desired() },
            observed: { desired in
                var observed = validated(desired)
                guard case .train(let job) = decision(desired, observed).stage else { fatalError() }
                observed.objects[modelKey] = ObservedObject(key: modelKey, model: ModelObservation(stall: ModelStall(
                    phase: .trainingFailed, fingerprint: job.fingerprint, reason: "TrainerFailed", message: "exit 1", at: now)), updatedAt: now)
                return observed
            }, expect: [], phase: "stalled"),
        Row(description: "a training failure of an older fingerprint: Git changed, train again",
            desired: { try desired(model(seed: 7)) },
            observed: { _ in
                let old = try desired()
                var observed = validated(old)
                guard case .train(let job) = decision(old, observed).stage else { fatalError() }
                observed.objects[modelKey] = ObservedObject(key: modelKey, model: ModelObservation(stall: ModelStall(
                    phase: .trainingFailed, fingerprint: job.fingerprint, reason: "TrainerFailed", message: "exit 1", at: now)), updatedAt: now)
                return observed
            }, expect: [.train]),
        Row(description: "a gates-only change re-evaluates r1, without training",
            desired: { try desired(model(gates: "[{metric: auc, min: 0.8}]")) }, observed: { _ in served(try desired()) },
            expect: [.evaluate(revision: 1, incumbent: nil)]),
        Row(description: "a serving-only change makes r2 of v1, without training",
            desired: { try desired(model().replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, runtime: command, command: [python3, serve.py]}")) },
            observed: { _ in served(try desired()) }, expect: [.evaluate(revision: 2, incumbent: nil)]),
        Row(description: "a new version is evaluated against the incumbent that serves",
            desired: { try desired(model(seed: 9, incumbent: true)) },
            observed: { _ in
                var observed = served(try desired(model(incumbent: true)))
                let next = try desired(model(seed: 9, incumbent: true))
                guard case .train(let job) = decision(next, observed).stage else { fatalError() }
                observed.registries["fraud"]!.versions.append(ModelVersion(
                    number: 2, fingerprint: job.fingerprint, commit: "c2", datasetSha256: "abc", contractSha256: "x", trainer: "logistic-regression",
                    modelDirectory: "models/fraud/v2", trainingRows: 8, holdoutRows: 2, createdAt: now))
                return observed
            }, expect: [.evaluate(revision: 2, incumbent: 1)]),
        Row(description: "a reverted training spec finds its version: no training",
            desired: { try desired() },
            observed: { desired in
                var observed = served(desired)
                let other = try Self.desired(model(seed: 9))
                guard case .train(let job) = decision(other, observed).stage else { fatalError() }
                observed.registries["fraud"]!.versions.append(ModelVersion(
                    number: 2, fingerprint: job.fingerprint, commit: "c2", datasetSha256: "abc", contractSha256: "x", trainer: "logistic-regression",
                    modelDirectory: "models/fraud/v2", trainingRows: 8, holdoutRows: 2, createdAt: now))
                return observed
            }, expect: [], phase: "serving"),
        Row(description: "a replica that died is restarted",
            desired: { try desired() }, observed: { served($0, replicaAlive: false) }, expect: [.restart]),
        Row(description: "a replica that died waits for its restart backoff",
            desired: { try desired() },
            observed: { desired in
                var observed = served(desired, replicaAlive: false)
                observed.objects[modelKey]!.model!.nextRestartAt = now.addingTimeInterval(10)
                observed.objects[modelKey]!.model!.crashes = 2
                return observed
            }, expect: [.retry]),
        Row(description: "replicas: 2 scales r1 up in place",
            desired: { try desired(model(replicas: 2)) }, observed: { _ in served(try desired()) }, expect: [.restart]),
        Row(description: "an unpinned uri: dataset: trained, evaluated, packaged, never deployed",
            desired: { try desired(uri: true) }, observed: { served($0, deployed: false) }, expect: [], phase: "candidateReady"),
        Row(description: "a queued proposal is written, whatever else the model does",
            desired: { try desired() }, observed: { desired in
                var observed = served(desired)
                observed.objects[modelKey]!.model!.proposals = [proposal(.rollback)]
                return observed
            }, expect: [.propose(.rollback)]),
        Row(description: "a proposal whose push failed waits for its backoff",
            desired: { try desired() }, observed: { desired in
                var observed = served(desired)
                let change = proposal(.retrain)
                observed.objects[modelKey]!.model!.proposals = [change]
                observed.objects[modelKey]!.failure = ActionFailure(fingerprint: change.fingerprint, attempts: 1, message: "refused",
                                                                    nextAttemptAt: now.addingTimeInterval(10))
                return observed
            }, expect: [.retry]),
        Row(description: "a model removed from Git stops serving, then is forgotten",
            desired: { try Manifests.desired(Manifests.basic) }, observed: { _ in served(try desired()) }, expect: [.stopServing, .prune]),
    ]

    @Test("model planner table", arguments: rows)
    func plan(row: Row) throws {
        let desired = try row.desired()
        let observed = try row.observed(desired)
        let plan = Planner.plan(desired: desired, observed: observed, now: Self.now)
        var got: [Expect] = plan.actions.filter { $0.key.kind == .model }.map { action in
            switch action {
            case .train: .train
            case .evaluate(let job): .evaluate(revision: job.revision, incumbent: job.incumbent?.revision)
            case .package(let job): .package(version: job.version.number)
            case .serve(let job): job.launch.revision == observed.objects[Self.modelKey]?.model?.stableRevision ? .restart : .deploy(revision: job.launch.revision)
            case .stopServing: .stopServing
            case .prune: .prune
            case .propose(let change): .propose(change.purpose)
            case .checkDataset, .rollout, .retire, .retrain: fatalError("not an action of these rows")
            }
        }
        if plan.retries[Self.modelKey] != nil { got.append(.retry) }
        #expect(got == row.expect)
        if let phase = row.phase, let model = desired.models["fraud"] {
            let stage = Self.decision(desired, observed).stage
            let name = switch stage {
            case .waitingForData: "waitingForData"
            case .dataInvalid: "dataInvalid"
            case .stalled: "stalled"
            case .candidateReady: "candidateReady"
            case .serving: "serving"
            default: "other"
            }
            #expect(name == phase, "\(model.name): \(stage)")
        }
    }

    @Test("the training fingerprint ignores the commit and follows the data")
    func fingerprintFollowsData() throws {
        let desired = try Self.desired()
        guard case .train(let a) = Self.decision(desired, Self.validated(desired)).stage,
              case .train(let b) = Self.decision(try Manifests.desired(desired.manifests.all.isEmpty ? [:] : Manifests.basic.merging(["model.yaml": Self.model()]) { $1 }, commit: "c2"), Self.validated(desired)).stage,
              case .train(let c) = Self.decision(desired, Self.validated(desired, sha256: "def")).stage
        else { Issue.record("expected trainings"); return }
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }

    static let replaceRollout = "rolls out by replace: the new revision takes 100% once ready"

    @Test("plan says what a model change costs: which input retrains, a new revision and how it rolls out, a re-evaluation, a scale", arguments: [
        (model(seed: 5), ["retrains a new version (or reuses a registered version with the same fingerprint): evaluation split, training spec changed", replaceRollout]),
        (model(gates: "[{metric: auc, min: 0.8}]"), ["re-evaluates the current revision against the new gates, no retraining"]),
        (model().replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, runtime: command, command: [python3, serve.py]}"),
         ["new revision of the same version (serving changed): evaluated through the new server, no retraining", replaceRollout]),
        (model(replicas: 3), ["scales the serving revision from 1 to 3 replicas"]),
    ])
    func consequences(head: String, expected: [String]) throws {
        let base = try Self.desired()
        let reviews = ChangeReview.compare(base: base, head: try Self.desired(head), observed: Self.served(base), prune: true, now: Self.now)
        let review = try #require(reviews.first { $0.kind == .model })
        #expect(review.consequences == expected)
    }

    @Test("plan says how each strategy rolls the new revision out", arguments: [
        (RolloutPlannerTests.policy(steps: "[{setWeight: 10}, {pause: {duration: 30s}}, {setWeight: 50}, {pause: {}}]"),
         "canary by canary: 10% (30 s), 50% (until `sextant promote`), then promotion; judged by errors every 5 s"),
        (RolloutPlannerTests.shadowPolicy,
         "shadow by canary: 50% of requests mirrored to it for 60 s, answers recorded and never returned, then 20%, then promotion; judged by errors every 5 s; "
            + "requests with X-Sextant-Candidate: true go to it"),
        (RolloutPlannerTests.blueGreenPolicy,
         "blueGreen by canary: a preview with 50% of requests mirrored to it for 60 s, then all traffic switches at once; "
            + "the old revision stays warm 30 s and takes it back on a failed verdict; judged by errors every 5 s; requests with X-Sextant-Candidate: true go to it"),
        (ExperimentPlannerTests.policy(),
         "experiment by canary: converted (proportion, increase): 50% of units by X-User-Id to the candidate, ≥ 100 values per arm, up to 1h, α 0.05, "
            + "sequential, promoteWinner; a winner is promoted, a loser or no difference sends traffic back to stable; guarded by errors every 5 s"),
    ])
    func rolloutConsequence(policy: String, expected: String) throws {
        let base = try Self.desired()
        let head = try Manifests.desired(Manifests.basic.merging([
            "model.yaml": Self.model(seed: 5).replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {replicas: 1, rollout: canary, slos: [errors]}"),
            "policy.yaml": policy,
            "errors.yaml": RolloutPlannerTests.errorsSLO,
        ]) { $1 })
        let reviews = ChangeReview.compare(base: base, head: head, observed: Self.served(base), prune: true, now: Self.now)
        let review = try #require(reviews.first { $0.kind == .model })
        #expect(review.consequences.last == expected)
    }

    @Test("plan says which data change retrains")
    func dataChange() throws {
        let base = try Self.desired()
        let head = try Manifests.desired(Manifests.basic.merging(["model.yaml": Self.model()]) { $1 }, commit: "c2", blobs: ["data/tx.csv": "blob2"])
        let reviews = ChangeReview.compare(base: base, head: head, observed: Self.served(base), prune: true, now: Self.now)
        let review = try #require(reviews.first { $0.kind == .model })
        #expect(review.consequences == ["retrains a new version (or reuses a registered version with the same fingerprint): dataset content changed", Self.replaceRollout])
    }
}
