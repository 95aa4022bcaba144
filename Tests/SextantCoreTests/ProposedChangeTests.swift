import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// The change a retraining proposes, and its evidence as a pull request body.
@Suite struct ProposedChangeTests {
    static func dataset(_ yaml: String) throws -> Dataset {
        var files = Manifests.basic
        files["dataset.yaml"] = yaml
        files["model.yaml"] = Manifests.model
        return try #require(try Manifests.desired(files, dataRoots: ["/srv/data"]).manifests.dataset(named: "tx"))
    }

    static let evidence = RetrainEvidence(
        model: "fraud", reasons: [RetrainReason(trigger: .accuracy, summary: "online accuracy 0.81 of r1 is below 0.9 on 240 labelled rows")],
        data: .init(dataset: "tx", sha256: "9f2c", previousSha256: "abc", location: "file:///data/sextant/fraud/9f2c.csv", datasetRows: 1000,
                    addedRows: 192, recencyRows: 48, checks: 7),
        candidate: .init(version: 3, revision: 3), serving: .init(version: 2, revision: 2), primaryMetric: "auc",
        metrics: [.init(metric: "auc", holdout: .init(candidate: 0.95, serving: 0.94), recency: .init(candidate: 0.912, serving: 0.934)),
                  .init(metric: "f1", holdout: .init(candidate: 0.8, serving: nil), recency: .init(candidate: 0.7, serving: 0.75))],
        gates: [GateResult(metric: "auc", value: 0.95, min: 0.9, max: nil, passed: true)])

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let table = RetrainingTable(path: "/data/sextant/fraud/9f2c.csv", sha256: "9f2c", datasetRows: 1000, addedRows: 192, checks: 7,
                                       bytes: Array("amount,label\n".utf8))

    @Test("a uri: dataset gets its uri and sha256 rewritten; nothing else")
    func uriDataset() throws {
        let dataset = try Self.dataset(Manifests.dataset("tx", uri: "file:///srv/data/tx.csv"))
        let change = ProposedChange.retraining(model: "fraud", dataset: dataset, datasetFile: "dataset.yaml", root: "", sha256: "9f2c", table: Self.table, evidence: Self.evidence, promotion: .pullRequest, baseCommit: "c1", now: Self.now)
        #expect(change.edits == [.setScalar(file: "dataset.yaml", field: "spec.source.uri", value: "file:///data/sextant/fraud/9f2c.csv"),
                                 .setScalar(file: "dataset.yaml", field: "spec.sha256", value: "9f2c")])
        #expect(change.branch == "sextant/retrain/fraud" && change.purpose == .retrain && change.baseCommit == "c1")
        #expect(change.body == Self.evidence.markdown())
        #expect(change.title == "Retrain fraud: v3 on tx (sha256 9f2c)")
    }

    @Test("a repository dataset gets the table at its path, and its pin updated when it has one")
    func pathDataset() throws {
        let pinned = try Self.dataset(Manifests.dataset("tx") + "  sha256: \(String(repeating: "a", count: 64))\n")
        let change = ProposedChange.retraining(model: "fraud", dataset: pinned, datasetFile: "dataset.yaml", root: "", sha256: "9f2c", table: Self.table, evidence: Self.evidence, promotion: .pullRequest, baseCommit: "c1", now: Self.now)
        #expect(change.edits == [.writeFile(file: "data/tx.csv", localPath: "/data/sextant/fraud/9f2c.csv"),
                                 .setScalar(file: "dataset.yaml", field: "spec.sha256", value: "9f2c")])
        let rooted = ProposedChange.retraining(model: "fraud", dataset: pinned, datasetFile: "ml/dataset.yaml", root: "ml", sha256: "9f2c", table: Self.table,
                                               evidence: Self.evidence, promotion: .branch, baseCommit: "c1", now: Self.now)
        #expect(rooted.edits.map(\.file) == ["ml/data/tx.csv", "ml/dataset.yaml"], "paths are the repository's, under the watched root")
        #expect(!rooted.openPullRequest && change.openPullRequest, "promotion: branch pushes without a pull request")
    }

    @Test("data: source (no new table) only pins the new hash")
    func sourceData() throws {
        let dataset = try Self.dataset(Manifests.dataset("tx", uri: "file:///srv/data/tx.csv"))
        let change = ProposedChange.retraining(model: "fraud", dataset: dataset, datasetFile: "dataset.yaml", root: "", sha256: "9f2c", table: nil, evidence: Self.evidence, promotion: .pullRequest, baseCommit: "c1", now: Self.now)
        #expect(change.edits == [.setScalar(file: "dataset.yaml", field: "spec.sha256", value: "9f2c")])
    }

    @Test("the verdict decides on the recency holdout by the primary metric, with the numbers")
    func verdict() {
        #expect(!Self.evidence.candidateIsBetter)
        #expect(Self.evidence.verdict == "v3 auc 0.912 on the recency holdout vs 0.934 of serving r2")
        var lower = Self.evidence
        lower.primaryMetric = "rmse"
        lower.metrics = [.init(metric: "rmse", lowerIsBetter: true, holdout: .init(candidate: 2, serving: nil), recency: .init(candidate: 1.5, serving: 1.7))]
        #expect(lower.candidateIsBetter, "a lower error is better")
        var failing = lower
        failing.gates = [GateResult(metric: "rmse", value: 2, min: nil, max: 1, passed: false)]
        #expect(!failing.candidateIsBetter && failing.verdict.hasPrefix("v3 fails its gates: rmse 2 breaks max 1"))
        var noRecency = Self.evidence
        noRecency.data.recencyRows = 0
        #expect(noRecency.candidateIsBetter && noRecency.verdict == "v3 auc 0.95 on the holdout vs 0.94 of serving r2")
        var unlogged = Self.evidence
        unlogged.metrics[0].recency.serving = nil
        #expect(!unlogged.candidateIsBetter && unlogged.verdict == "v3 f1 0.7 on the recency holdout vs 0.75 of serving r2",
                "without logged probabilities the next metric decides, still on the recency holdout")
    }

    @Test("the Markdown body: trigger, data and the metric table with deltas; never past the limit")
    func markdown() {
        let body = Self.evidence.markdown()
        #expect(body.contains("| accuracy | online accuracy 0.81 of r1 is below 0.9 on 240 labelled rows |"))
        #expect(body.contains("| rows | 1000 from the dataset + 192 labelled production rows |"))
        #expect(body.contains("| **auc** | 0.95 | 0.94 | +0.01 | 0.912 | 0.934 | -0.022 |"), "\(body)")
        #expect(body.contains("| f1 | 0.8 | — | — | 0.7 | 0.75 | -0.05 |"))
        #expect(body.contains("**Not better**"))
        var long = Self.evidence
        long.reasons = Array(repeating: RetrainReason(trigger: .drift, summary: String(repeating: "x", count: 1000)), count: 200)
        let cut = long.markdown()
        #expect(cut.count <= RetrainEvidence.markdownLimit && cut.hasSuffix("_… cut at 65536 characters._\n"))
    }

    @Test("the body carries the candidate's importance table (top 10) and its model card in brief")
    func cardSummary() {
        var evaluation = Evaluation(fingerprint: "e", metrics: ["auc": 0.95], gates: [], incumbent: nil, holdoutRows: 480, seconds: 1,
                                    evaluatedAt: Self.now)
        evaluation.explanations = Explanations(metric: "auc", repeats: 5, seed: 7, importances: (0..<12).map {
            FeatureImportance(feature: "f\($0)", mean: 0.3 - Double($0) * 0.02, std: 0.01)
        })
        evaluation.intervals = MetricIntervals(confidence: 0.95, resamples: 1000, seed: 7, intervals: ["auc": MetricInterval(lower: 0.93, upper: 0.97)])
        evaluation.slices = [SliceMetrics(feature: "region", value: "eu", rows: 240, metrics: ["auc": 0.94])]
        var evidence = Self.evidence
        evidence.card = .init(evaluation: evaluation, privacy: [ClassifiedFeature(column: "zip", classification: "restricted", reason: "local fraud rings")])
        let body = evidence.markdown()
        #expect(body.contains("### Explanations of v3"))
        #expect(body.contains("| feature | importance |\n|---|---|\n| `f0` | 0.300 ± 0.010 |"), "\(body)")
        #expect(body.contains("| `f9` | 0.120 ± 0.010 |") && !body.contains("`f10`"), "at most 10 features")
        #expect(body.contains("| auc | 0.950 | [0.930, 0.970] |"))
        #expect(body.contains("| `region=eu` | 240 | auc | 0.940 |"))
        #expect(body.contains("Classified columns: `zip` (restricted: local fraud rings)."))

        evaluation.explanations = nil
        evaluation.explanationFailure = "the server refused the permuted rows"
        evidence.card = .init(evaluation: evaluation, privacy: [])
        #expect(evidence.markdown().contains("Explanations: could not be computed: the server refused the permuted rows."))
        evidence.reasons = Array(repeating: RetrainReason(trigger: .drift, summary: String(repeating: "x", count: 1000)), count: 200)
        #expect(evidence.markdown().count <= RetrainEvidence.markdownLimit)
    }
}
