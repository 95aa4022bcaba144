import Foundation
import Testing
@testable import SextantCLI
import SextantCore

/// `sextant history`: the explanations, intervals and slices of each revision (DESIGN §4, §9).
@Suite struct HistoryDocumentTests {
    static func registry(explained: Bool) -> ModelRegistry {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        var evaluation = Evaluation(fingerprint: "e", metrics: ["auc": 0.9835], gates: [GateResult(metric: "auc", value: 0.9835, min: 0.9, max: nil, passed: true)],
                                    incumbent: nil, holdoutRows: 481, seconds: 1, evaluatedAt: created)
        if explained {
            evaluation.explanations = Explanations(metric: "auc", repeats: 5, seed: 42, importances: [
                FeatureImportance(feature: "amount", mean: 0.21, std: 0.02), FeatureImportance(feature: "merchant_risk", mean: 0.12, std: 0.01),
                FeatureImportance(feature: "hour", mean: 0.03, std: 0.005), FeatureImportance(feature: "account_age_days", mean: 0.01, std: 0.002),
            ])
            evaluation.intervals = MetricIntervals(confidence: 0.95, resamples: 1000, seed: 42, intervals: ["auc": MetricInterval(lower: 0.972, upper: 0.991)])
            evaluation.slices = [SliceMetrics(feature: "region", value: "eu", rows: 240, metrics: ["auc": 0.98])]
        } else {
            evaluation.explanationFailure = "the server answered 500"
        }
        return ModelRegistry(model: "fraud", versions: [
            ModelVersion(number: 1, fingerprint: "f", commit: String(repeating: "c", count: 40), datasetSha256: "d", contractSha256: "k",
                         trainer: "logistic-regression", modelDirectory: "models/fraud/v1", trainingRows: 1919, holdoutRows: 481, createdAt: created),
        ], revisions: [
            ModelRevision(number: 1, version: 1, servingFingerprint: "s", commit: String(repeating: "c", count: 40), servingLaunch: nil,
                          evaluation: evaluation, createdAt: created),
        ])
    }

    @Test("JSON: explanations, intervals and slices are added to each revision; the existing keys stay")
    func json() throws {
        let document = HistoryRenderer.json(HistoryDocument(Self.registry(explained: true), resources: [:]))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let revision = try #require(((root["versions"] as? [[String: Any]])?.first?["revisions"] as? [[String: Any]])?.first)
        for key in ["revision", "servingFingerprint", "commit", "metrics", "gates", "incumbent", "served", "resources", "online",
                    "passed", "failures", "createdAt"] {
            #expect(revision.keys.contains(key), "missing \(key)")
        }
        let explanations = try #require(revision["explanations"] as? [String: Any])
        #expect((explanations["importances"] as? [[String: Any]])?.first?["feature"] as? String == "amount")
        let auc = try #require(((revision["intervals"] as? [String: Any])?["intervals"] as? [String: Any])?["auc"] as? [String: Any])
        #expect(auc["lower"] as? Double == 0.972 && auc["upper"] as? Double == 0.991)
        #expect((revision["slices"] as? [[String: Any]])?.first?["value"] as? String == "eu")

        let failed = HistoryRenderer.json(HistoryDocument(Self.registry(explained: false), resources: [:]))
        #expect(failed.contains(#""explanations" : null"#) && failed.contains(#""explanationFailure" : "the server answered 500""#), "\(failed)")
        #expect(failed.contains(#""intervals" : null"#) && failed.contains(#""slices" : null"#))
    }

    @Test("table: each metric with its interval, and the top three features by importance")
    func table() {
        let table = HistoryRenderer.table(HistoryDocument(Self.registry(explained: true), resources: [:]))
        #expect(table.contains("IMPORTANCE"))
        #expect(table.contains("auc 0.9835 [0.972, 0.991]"), "\(table)")
        #expect(table.contains("amount 0.21 ± 0.02, merchant_risk 0.12 ± 0.01, hour 0.03 ± 0.005"), "\(table)")
        #expect(!table.contains("account_age_days"), "three features, not four")
        #expect(HistoryRenderer.table(HistoryDocument(Self.registry(explained: false), resources: [:])).contains("  failed  "))
    }

    @Test("the JSON a daemon answers decodes to the same document, so `history --server` prints the same table as `--state-dir`")
    func roundTrip() throws {
        for explained in [true, false] {
            var registry = Self.registry(explained: explained)
            registry.revisions[0].served = [ServedInterval(from: registry.revisions[0].createdAt, until: nil, peakWeight: 10)]
            if !explained { registry.revisions[0].evaluation?.explanationsRequired = true }
            let document = HistoryDocument(registry, resources: [:])
            let decoded = try StatusDocument.jsonDecoder().decode(HistoryDocument.self, from: Data(HistoryRenderer.json(document).utf8))
            #expect(decoded == document)
            #expect(HistoryRenderer.table(decoded) == HistoryRenderer.table(document))
            #expect(document.versions[0].revisions[0].passed == explained)
        }
        let failed = HistoryRenderer.table(HistoryDocument({ var registry = Self.registry(explained: false)
            registry.revisions[0].evaluation?.explanationsRequired = true
            return registry }(), resources: [:]))
        #expect(failed.contains("FAILED: explanations are required"), "\(failed)")
        #expect(HistoryRenderer.table(HistoryDocument(Self.registry(explained: true), resources: [:])).contains("1919+481"))
    }
}
