import Foundation
import SextantAPI
import SextantCore

/// A status mid-canary, as the daemon saves it: a model at step 1 of 2 with one objective
/// passed and one not yet, a dataset with a violation, an SLO, and a name to escape.
enum DashboardFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let modelJSON = """
        {"kind": "Model", "name": "fraud-detector", "sync": "OutOfSync", "health": "Progressing", "phase": "RollingOut",
         "message": "step 1/2: 10% to r2 (v2), 56/200 samples <b>not bold</b> & more", "conditions": [
            {"type": "Ready", "status": "True", "reason": "Serving", "message": "r1 answers", "lastTransitionTime": "2027-01-15T07:55:00Z"}],
         "createdAt": "2027-01-15T07:55:00Z",
         "stableVersion": 1, "candidateVersion": 2, "stableRevision": 1, "candidateRevision": 2, "endpoints": ["http://127.0.0.1:8080/v2/models/fraud-detector"],
         "traffic": [{"revision": 1, "version": 1, "role": "stable", "weight": 90, "requests": 3137, "errors": 0, "p99Milliseconds": 2.883},
                     {"revision": 2, "version": 2, "role": "candidate", "weight": 10, "requests": 56, "errors": 1, "p99Milliseconds": 3.847}],
         "rollout": {"strategy": "canary", "policy": "canary-10-50", "phase": "canary", "step": 1, "steps": 2, "weight": 10, "failures": 0,
                     "paused": false, "stepStartedAt": "2027-01-15T07:59:48Z", "verdict": "Inconclusive", "failureLimit": 0,
                     "pauseUntil": "2027-01-15T08:00:18Z", "stepDeadline": "2027-01-15T08:09:48Z",
                     "objectives": [{"slo": "fraud-latency", "objective": "p99 under 50 ms", "target": 0.99, "samples": 120, "bad": 0, "required": 100, "verdict": "Passed", "value": 1},
                                    {"slo": "fraud-errors", "objective": "99.5% of requests succeed", "target": 0.995, "samples": 56, "bad": 1, "required": 200, "verdict": "Inconclusive", "value": 0.98214}],
                     "policySteps": [{"number": 1, "phase": "canary", "weight": 10, "pauseSeconds": 30, "untilPromoted": false, "state": "current"},
                                     {"number": 2, "phase": "canary", "weight": 50, "pauseSeconds": 60, "untilPromoted": false, "state": "pending"}]},
         "drift": {"model": "fraud-detector", "version": 1, "revisions": [1], "computedAt": "2027-01-15T07:59:00Z", "reference": {"rows": 1919},
                   "current": {"rows": 1000, "from": null, "until": null}, "driftShare": 0.5, "driftedShare": 0.5, "datasetDrift": true,
                   "features": [{"name": "amount", "kind": "numerical", "method": "wasserstein", "statistic": 0.31, "threshold": 0.1, "drifted": true,
                                 "histogram": {"bins": ["[0, 50)", "[50, 100]"], "reference": [0.75, 0.25], "current": [0.25, 0.75]}},
                                {"name": "region", "kind": "categorical", "method": "chiSquare", "statistic": 0.4, "threshold": 0.05, "drifted": false}],
                   "prediction": null},
         "replicas": [{"revision": 1, "role": "stable", "index": 0, "pid": 4242, "port": 41001, "state": "ready", "crashes": 0,
                       "startedAt": "2027-01-15T07:55:00Z", "log": "/var/lib/sextant/servers/fraud-detector/r1-0.log"}]}
        """

    static let datasetJSON = """
        {"kind": "Dataset", "name": "transactions", "sync": "Synced", "health": "Degraded", "phase": "DataInvalid",
         "message": "2 rows break the contract", "conditions": [], "createdAt": "2027-01-15T07:50:00Z",
         "sha256": "4f2a9c0e7b1d3a5f6e8c9b0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e", "rows": 1200,
         "violations": ["amount: 2 rows below the minimum 0 (rows 17, 940)"]}
        """

    static let sloJSON = """
        {"kind": "SLO", "name": "fraud-errors", "sync": "Synced", "health": "Healthy", "phase": "Valid",
         "message": "99.5% of requests succeed over 5m", "conditions": [], "createdAt": "2027-01-15T07:50:00Z"}
        """

    static func status() throws -> StatusDocument {
        let decoder = StatusDocument.jsonDecoder()
        let objects = try [modelJSON, datasetJSON, sloJSON].map { try decoder.decode(ObjectStatus.self, from: Data($0.utf8)) }
        return StatusDocument(revision: RevisionStatus(commit: String(repeating: "a", count: 40), branch: "main", message: "l2", fetchedAt: now), objects: objects)
    }

    /// `count` versions, one revision each, a day apart.
    static func registry(versions count: Int) -> ModelRegistry {
        let start = now.addingTimeInterval(-Double(count) * 86_400)
        let versions = (1...count).map { number in
            ModelVersion(number: number, fingerprint: "f\(number)", commit: String(repeating: "\(number % 10)", count: 40), datasetSha256: "d", contractSha256: "c",
                         trainer: "logistic-regression", modelDirectory: "models/fraud-detector/v\(number)", trainingRows: 800, holdoutRows: 200,
                         createdAt: start.addingTimeInterval(Double(number) * 86_400))
        }
        let revisions = (1...count).map { number in
            ModelRevision(number: number, version: number, servingFingerprint: "s\(number)", commit: String(repeating: "\(number % 10)", count: 40),
                          servingLaunch: nil, served: [ServedInterval(from: start.addingTimeInterval(Double(number) * 86_400),
                                                                        until: number == count ? nil : start.addingTimeInterval(Double(number + 1) * 86_400))],
                          createdAt: start.addingTimeInterval(Double(number) * 86_400))
        }
        var evaluated = revisions
        evaluated[0].evaluation = Evaluation(
            fingerprint: "e1", metrics: ["auc": 0.9835, "accuracy": 0.9667], gates: [
                GateResult(metric: "auc", value: 0.9835, min: 0.9, max: nil, passed: true),
                GateResult(metric: "demographicParityRatio", sensitiveFeature: "region", value: 0.7, min: 0.8, max: nil, passed: false),
            ], incumbent: nil, holdoutRows: 481, seconds: 0.02, evaluatedAt: start,
            explanations: Explanations(metric: "auc", repeats: 5, seed: 42, importances: [
                FeatureImportance(feature: "amount", mean: 0.212, std: 0.0247), FeatureImportance(feature: "merchant_risk", mean: 0.1049, std: 0.0118),
                FeatureImportance(feature: "hour", mean: -0.001, std: 0.002),
            ]),
            intervals: MetricIntervals(confidence: 0.95, resamples: 1000, seed: 7, intervals: ["auc": MetricInterval(lower: 0.97, upper: 0.99)]))
        return ModelRegistry(model: "fraud-detector", versions: versions, revisions: evaluated)
    }

    static func events(_ count: Int, name: String = "fraud-detector") -> [Event] {
        (1...count).reversed().map { index in
            Event(id: Int64(index), time: now.addingTimeInterval(Double(index - count)), kind: .model, name: name,
                  reason: index == count ? .unknown("RolloutAborted") : .unknown("StepAdvanced"),
                  message: "event \(index) <script>alert(1)</script>", commit: nil, actor: "sextant")
        }
    }
}
