import Foundation
import Testing
import SextantAPI
import SextantCore
@testable import SextantDaemon
import SextantTestSupport

/// `sextant_feature_drift{model,feature,method}` and `sextant_dataset_drift{model}` from status.
@Suite struct DriftMetricsTests {
    static func status(_ report: DriftReport?) -> StatusDocument {
        var object = ObjectStatus(kind: .model, name: "fraud", sync: .synced, health: .healthy, phase: .serving, message: "",
                                  createdAt: Date(timeIntervalSince1970: 0), model: .init())
        object.model?.drift = report
        return StatusDocument(revision: RevisionStatus(branch: "main"), objects: [object])
    }

    static func report(drifted: Bool, method: String = "ks") -> DriftReport {
        DriftReport(model: "fraud", version: 1, revisions: [1], computedAt: Date(timeIntervalSince1970: 100), reference: .init(rows: 500),
                    current: .init(rows: 200), driftShare: 0.5, driftedShare: drifted ? 1 : 0, datasetDrift: drifted,
                    features: [.init(name: "amount", kind: "numerical", method: method, statistic: drifted ? 0.001 : 0.4, threshold: 0.05, drifted: drifted)])
    }

    @Test("each feature's statistic and the dataset verdict, promtool-valid; a changed method replaces its series; no verdict, no series")
    func gauges() async throws {
        let metrics = DaemonMetrics()
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0, status: Self.status(Self.report(drifted: true)))
        var text = metrics.exposition()
        #expect(text.contains("# TYPE sextant_feature_drift gauge") && text.contains("# TYPE sextant_dataset_drift gauge"), "\(text)")
        #expect(ReplicaMetricsTests.value(text, "sextant_feature_drift", #"model="fraud",feature="amount",method="ks""#) == 0.001)
        #expect(ReplicaMetricsTests.value(text, "sextant_dataset_drift", #"model="fraud""#) == 1)
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(text)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0, status: Self.status(Self.report(drifted: false, method: "wasserstein")))
        text = metrics.exposition()
        #expect(ReplicaMetricsTests.value(text, "sextant_feature_drift", #"model="fraud",feature="amount",method="ks""#) == nil)
        #expect(ReplicaMetricsTests.value(text, "sextant_feature_drift", #"model="fraud",feature="amount",method="wasserstein""#) == 0.4)
        #expect(ReplicaMetricsTests.value(text, "sextant_dataset_drift", #"model="fraud""#) == 0)

        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0,
                             status: Self.status(.noVerdict(model: "fraud", version: 1, revisions: [1], at: Date(), driftShare: 0.5, reason: "too few rows")))
        text = metrics.exposition()
        #expect(ReplicaMetricsTests.value(text, "sextant_dataset_drift", #"model="fraud""#) == nil, "\(text)")
    }
}
