import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// A retraining through the reconciler (DESIGN §7), with a fake runtime, fake production
/// signals and a fake proposer.
@Suite struct RetrainReconcilerTests {
    static let key = ObjectKey(.model, "fraud")

    static func files(retrain: String = "{on: [accuracy], accuracy: {metric: accuracy, below: 0.9}, minRows: 100, cooldown: 1h}",
                      incumbent: Bool = false) -> [String: String] {
        var files = Manifests.basic
        files["model.yaml"] = ModelPlannerTests.model(incumbent: incumbent) + "  monitoring:\n    retrain: \(retrain)\n"
        return files
    }

    struct Setup {
        let source = FakeSource(), store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let signals = FakeSignals(), proposer = FakeProposer()

        func reconciler() -> Reconciler {
            var options = Reconciler.Options()
            options.retrainingDataRoot = "/data"
            return Reconciler(source: source, store: store, runtime: runtime, clock: clock, options: options, signals: signals, proposer: proposer)
        }

        /// r1 answered 150 rows, labelled; its online accuracy is `accuracy`.
        func production(accuracy: Double, rows: Int = 150) {
            let start = clock.now()
            signals.models.withLock {
                $0["fraud"] = FakeSignals.Model(
                    online: [OnlineRevision(revision: 1, rows: rows, labelledRows: rows, coverage: 1, metrics: ["accuracy": accuracy])],
                    rows: (0..<rows).map { LabelledRow(time: start.addingTimeInterval(Double($0)), revision: 1, features: [.integer(Int64($0))],
                                                       truth: .bool($0 % 2 == 0), predict: .bool(true), probabilities: [0.4, 0.6]) })
            }
        }

        func reasons() -> [EventReason] {
            store.data.withLock { $0.events.filter { $0.kind == .model }.map(\.reason) }
        }
    }

    @Test("a trigger retrains once per cooldown: the candidate is better on the recency holdout, the change edits only the dataset, merging it reuses the version")
    func candidateReady() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files())
        let reconciler = setup.reconciler()
        _ = try await reconciler.pass()
        #expect(setup.reasons() == [.trained, .evaluated, .packaged, .deployed])

        setup.production(accuracy: 0.8)
        let report = try await reconciler.pass()
        #expect(setup.reasons().suffix(5) == [.retrainTriggered, .trained, .evaluated, .candidateReady, .pullRequestOpened], "\(setup.reasons())")
        let table = try #require(setup.runtime.retraining.withLock { $0.tables.first })
        #expect(table.rows.count == 120, "the newest 20% (30 rows) are the recency holdout, never trained on")
        #expect(table.rows.map(\.time) == table.rows.map(\.time).sorted() && table.rows.last!.time < setup.clock.now().addingTimeInterval(120))
        let recency = try #require(setup.runtime.retraining.withLock { $0.recency.first })
        #expect(recency.rows.count == 30 && recency.rows.first!.time > table.rows.last!.time)
        #expect(recency.launch.version == 2 && recency.launch.revision == 2)

        let change = try #require(setup.proposer.proposed.withLock { $0.first })
        #expect(change.branch == "sextant/retrain/fraud" && change.purpose == .retrain && change.baseCommit == "c1")
        let status = try #require(report.status.objects.first { $0.key == Self.key })
        let evidence = try #require(status.model?.retrain?.candidate?.evidence)
        #expect(change.edits == [.writeFile(file: "data/tx.csv", localPath: "/data/sextant/fraud/\(evidence.data.sha256).csv")],
                "a repository dataset without a pin: only its file")
        #expect(change.body == evidence.markdown())
        #expect(evidence.verdict == "v2 auc 0.95 on the recency holdout vs 0.9 of serving r1")
        #expect(evidence.reasons.map(\.trigger) == [.accuracy])
        #expect(evidence.data.addedRows == 120 && evidence.data.recencyRows == 30)

        let registry = try #require(setup.store.data.withLock { $0.registries["fraud"] })
        let candidate = try #require(registry.version(2))
        #expect(candidate.retrainingCandidate == true && candidate.datasetSha256 == evidence.data.sha256)
        #expect(status.model?.stableRevision == 1, "a candidate never serves by itself")
        #expect(status.conditions.first { $0.type == "Retrain" }?.reason == "CandidateReady")
        #expect(status.model?.retrain?.candidate?.branch == "sextant/retrain/fraud")
        #expect(setup.store.data.withLock { $0.objects[Self.key]?.model?.pullRequests.map(\.number) } == [1])

        // Still below the threshold a minute later: inside the cooldown, nothing fires.
        setup.clock.advance(120)
        let cooling = try await reconciler.pass()
        #expect(setup.reasons().filter { $0 == .retrainTriggered }.count == 1)
        let condition = try #require(cooling.status.objects.first { $0.key == Self.key }?.conditions.first { $0.type == "Retrain" })
        #expect(condition.reason == "Waiting" && condition.message.contains("cooling down until"), "\(condition.message)")

        // A restarted daemon keeps the cooldown.
        setup.clock.advance(120)
        _ = try await setup.reconciler().pass()
        #expect(setup.reasons().filter { $0 == .retrainTriggered }.count == 1)
        #expect(setup.runtime.models.withLock { $0.trainings.count } == 2)

        // Git pins the new data (the merged change): the candidate's version is found, not trained again.
        setup.runtime.datasetSha256.withLock { $0 = evidence.data.sha256 }
        setup.source.push("c2", Self.files())
        let merged = try await setup.reconciler().pass()
        #expect(setup.runtime.models.withLock { $0.trainings.count } == 2, "merging reuses the trained version")
        let serving = try #require(merged.status.objects.first { $0.key == Self.key })
        #expect(serving.model?.stableVersion == 2, "\(serving.message)")
    }

    @Test("a candidate no better on the recency holdout ends as RetrainRejected with the numbers; nothing is proposed")
    func rejected() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files())
        let reconciler = setup.reconciler()
        _ = try await reconciler.pass()
        setup.runtime.retraining.withLock { $0.servingAUC = 0.97 }
        setup.production(accuracy: 0.8)
        _ = try await reconciler.pass()
        #expect(setup.reasons().last == .retrainRejected)
        let message = setup.store.data.withLock { $0.events.last?.message }
        #expect(message == "v2 auc 0.95 on the recency holdout vs 0.97 of serving r1")
        #expect(setup.proposer.proposed.withLock { $0.isEmpty })
    }

    @Test("a training table that breaks the contract blocks the retraining, naming column and rule; nothing is trained")
    func blocked() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files())
        let reconciler = setup.reconciler()
        _ = try await reconciler.pass()
        setup.runtime.retraining.withLock { $0.violations = ["tx.amount: minimum 0 = 3 rows, must be 0"] }
        setup.production(accuracy: 0.8)
        _ = try await reconciler.pass()
        #expect(setup.reasons().suffix(2) == [.retrainTriggered, .retrainBlocked])
        #expect(setup.store.data.withLock { $0.events.last?.message.contains("tx.amount: minimum 0 = 3 rows") } == true)
        #expect(setup.runtime.models.withLock { $0.trainings.count } == 1)
    }

    @Test("promotion: none keeps the evidence in status: CandidateReady, no proposal")
    func promotionNone() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files(retrain: "{on: [accuracy], accuracy: {metric: accuracy, below: 0.9}, minRows: 100, promotion: none}"))
        let reconciler = setup.reconciler()
        _ = try await reconciler.pass()
        setup.production(accuracy: 0.8)
        let report = try await reconciler.pass()
        #expect(setup.reasons().last == .candidateReady)
        #expect(setup.proposer.proposed.withLock { $0.isEmpty })
        let status = try #require(report.status.objects.first { $0.key == Self.key })
        #expect(status.model?.retrain?.candidate?.evidence?.candidate.version == 2)
    }

    @Test("too few labelled rows: the Retrain condition says how many of minRows there are")
    func waitsForRows() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files(retrain: "{on: [accuracy], accuracy: {metric: accuracy, below: 0.9}}"))
        let reconciler = setup.reconciler()
        _ = try await reconciler.pass()
        setup.production(accuracy: 0.8, rows: 146)
        let report = try await reconciler.pass()
        let condition = try #require(report.status.objects.first { $0.key == Self.key }?.conditions.first { $0.type == "Retrain" })
        #expect(condition.message == "accuracy fired; waiting for labelled production rows: 146 of 200", "\(condition.message)")
        #expect(!setup.reasons().contains(.retrainTriggered))
    }

    @Test("in the daemon the retraining is a background job: the pass that fires it does not wait; its end records CandidateReady")
    func backgroundJob() async throws {
        let setup = Setup()
        setup.source.push("c1", Self.files())
        let reconciler = setup.reconciler()
        await reconciler.runJobsInBackground()
        let finished = BackgroundJobsTests.Rig.Counter()
        let jobs = Task { await reconciler.jobs.run(onFinish: { finished.value.add(1, ordering: .relaxed) }) }
        defer { jobs.cancel() }
        // Train, evaluate, package in the background, then deploy.
        for _ in 0..<6 {
            let done = finished.value.load(ordering: .relaxed)
            if try await reconciler.pass().status.objects.first(where: { $0.key == Self.key })?.model?.stableRevision != nil { break }
            _ = try await eventually(timeout: .seconds(60)) { finished.value.load(ordering: .relaxed) > done }
        }
        #expect(setup.reasons().last == .deployed, "\(setup.reasons())")

        // A pass may have checked the triggers since the deploy: the next check is a minute later.
        setup.production(accuracy: 0.8)
        setup.clock.advance(61)
        let done = finished.value.load(ordering: .relaxed)
        _ = try await reconciler.pass()
        #expect(setup.reasons().contains(.retrainTriggered))
        try #require(try await eventually(timeout: .seconds(60)) { finished.value.load(ordering: .relaxed) > done })
        #expect(setup.reasons().contains(.candidateReady), "\(setup.reasons())")
        // The change waits with the model; a pass after the retraining's end writes it as a Propose job.
        for _ in 0..<5 where setup.proposer.proposed.withLock({ $0.isEmpty }) {
            _ = try await reconciler.pass()
            _ = try await eventually(timeout: .seconds(10)) { !setup.proposer.proposed.withLock { $0.isEmpty } }
        }
        #expect(setup.proposer.proposed.withLock { $0.count } == 1)
        try #require(try await eventually(timeout: .seconds(10)) { setup.reasons().last == .pullRequestOpened }, "\(setup.reasons())")
        #expect(setup.reasons().filter { $0 == .retrainTriggered }.count == 1)
    }
}
