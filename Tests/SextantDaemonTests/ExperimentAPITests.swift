import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SextantAPI
import SextantCore
import SextantStore
@testable import SextantDaemon
import SextantTestSupport
import Testing

/// `GET /api/v1/models/{name}/experiment` (DESIGN §10).
@Suite struct ExperimentAPITests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// converted (proportion, increase): r1 against r2, 1,204 and 1,198 values.
    static func report(model: String = "fraud", candidate: Int = 2, kpi: String = "converted", decision: ExperimentOutcome = .pending) -> ExperimentReport {
        ExperimentReport(model: model, kpi: kpi, kind: .proportion, direction: .increase,
                         arms: [ExperimentArm(revision: 1, role: .stable, units: 1180, n: 1204, mean: 0.121262, std: 0.326574),
                                ExperimentArm(revision: candidate, role: .candidate, units: 1175, n: 1198, mean: 0.148581, std: 0.355822)],
                         difference: 0.027319, ci: [0.000031, 0.054607], pValue: 0.049581, sequential: true, sequentialCi: [-0.018214, 0.072852],
                         decision: decision, policy: .promoteWinner, alpha: 0.05, minSamples: 500, split: 50, unit: "X-User-Id",
                         startedAt: now.addingTimeInterval(-3600))
    }

    static func model(_ name: String, experiment: ExperimentReport? = nil, rollout: RolloutStatus? = nil) -> ObjectStatus {
        var object = ObjectStatus(kind: .model, name: name, sync: .synced, health: .healthy, phase: .serving, message: "", createdAt: now,
                                  model: .init(stableRevision: 1, candidateRevision: rollout == nil ? nil : 2, rollout: rollout))
        object.model?.experiment = experiment
        return object
    }

    @Test("a model's experiment is the report's JSON; an unknown model is a 404 with the nearest name; a model without one is a 404 saying how to start one")
    func route() async throws {
        let fixture = try DaemonAPITests.Fixture()
        let canary = try StatusDocument.jsonDecoder().decode(RolloutStatus.self, from: Data("""
            {"strategy": "canary", "policy": "canary-10-50", "phase": "canary", "step": 1, "steps": 2, "weight": 10, "failures": 0,
             "paused": false, "stepStartedAt": "2027-01-15T07:59:48Z", "objectives": []}
            """.utf8))
        let document = StatusDocument(revision: .init(branch: "main", reconciledAt: Self.now), objects: [
            Self.model("fraud-detector", experiment: Self.report(model: "fraud-detector")),
            Self.model("churn"),
            Self.model("pricing", rollout: canary),
            ObjectStatus(kind: .dataset, name: "transactions", sync: .synced, health: .healthy, phase: .validated, message: "", createdAt: Self.now),
        ])
        try await fixture.store.saveStatus(document, changed: document.objects, removed: [])
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud-detector/experiment", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let report = try StatusDocument.jsonDecoder().decode(ExperimentReport.self, from: Data(String(buffer: response.body).utf8))
                #expect(report == Self.report(model: "fraud-detector"))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
                #expect(Set(["model", "kpi", "arms", "difference", "ci", "pValue", "sequential", "decision"]).isSubset(of: object.keys))
            }
            try await client.execute(uri: "/api/v1/models/fraud-detectr/experiment", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONDecoder().decode([String: String].self, from: Data(String(buffer: response.body).utf8))
                #expect(body == ["error": #"no model fraud-detectr; did you mean "fraud-detector"?"#])
            }
            try await client.execute(uri: "/api/v1/models/transactions/experiment", method: .get) { response in
                #expect(response.status == .notFound, "a dataset of that name is not a model")
                #expect(String(buffer: response.body).contains("no model transactions"))
            }
            try await client.execute(uri: "/api/v1/models/churn/experiment", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONDecoder().decode([String: String].self, from: Data(String(buffer: response.body).utf8))
                #expect(body["reason"] == "NoExperiment")
                #expect(body["error"] == "churn has no experiment: one starts when a new revision rolls out under a RolloutPolicy with "
                        + "`strategy: experiment` and an `experiment:` block (docs/experiments.md)")
            }
            try await client.execute(uri: "/api/v1/models/pricing/experiment", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("the rollout of r2 in flight uses strategy canary (RolloutPolicy canary-10-50)"),
                        "\(String(buffer: response.body))")
            }
        }
    }

    @Test("before the first pass the route answers 503, as status does")
    func beforeFirstPass() async throws {
        let fixture = try DaemonAPITests.Fixture()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/models/fraud/experiment", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("the first reconcile pass has not finished"))
            }
        }
    }
}

/// `sextant_experiment_kpi_mean`, `_samples`, `_difference` and `_p_value` from status.
@Suite struct ExperimentMetricsTests {
    static func status(_ reports: [ExperimentReport?]) -> StatusDocument {
        StatusDocument(revision: RevisionStatus(branch: "main"), objects: reports.enumerated().map { index, report in
            ExperimentAPITests.model(report?.model ?? "model\(index)", experiment: report)
        })
    }

    static let stable = #"model="fraud",kpi="converted",arm="stable",revision="1""#
    static let candidate = #"model="fraud",kpi="converted",arm="candidate",revision="2""#
    static let experiment = #"model="fraud",kpi="converted""#

    @Test("each arm's mean and count, the difference and the p-value, promtool-valid; a new experiment replaces the finished one's series; no report, no series")
    func gauges() async throws {
        let metrics = DaemonMetrics()
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0,
                             status: Self.status([ExperimentAPITests.report(decision: .candidateWins), nil]))
        var text = metrics.exposition()
        for family in ["kpi_mean", "samples", "difference", "p_value"] {
            #expect(text.contains("# TYPE sextant_experiment_\(family) gauge") && text.contains("# HELP sextant_experiment_\(family) "), "\(family)")
        }
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_kpi_mean", Self.stable) == 0.121262)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_kpi_mean", Self.candidate) == 0.148581)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_samples", Self.stable) == 1204)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_samples", Self.candidate) == 1198)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_difference", Self.experiment) == 0.027319)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_p_value", Self.experiment) == 0.049581)
        #expect(!text.contains(#"model="model1""#), "a model without an experiment has no series")
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(text)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        // The next experiment (candidate r3, another KPI) replaces the finished one's series;
        // while it has no values, only its counts show.
        var next = ExperimentAPITests.report(candidate: 3, kpi: "revenue")
        next.arms = next.arms.map { ExperimentArm(revision: $0.revision, role: $0.role) }
        next.difference = nil
        next.pValue = nil
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0, status: Self.status([next]))
        text = metrics.exposition()
        #expect(!text.contains(#"kpi="converted""#), "\(text)")
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_samples", #"model="fraud",kpi="revenue",arm="candidate",revision="3""#) == 0)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_kpi_mean", #"model="fraud",kpi="revenue",arm="candidate",revision="3""#) == nil)
        #expect(ReplicaMetricsTests.value(text, "sextant_experiment_difference", #"model="fraud",kpi="revenue""#) == nil)
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(text)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0, status: Self.status([nil]))
        #expect(!metrics.exposition().contains("model=\"fraud\""))
    }
}
