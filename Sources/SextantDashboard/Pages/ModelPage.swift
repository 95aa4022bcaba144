import Foundation
import SextantAPI
import SextantCore

/// `/models/NAME`: where the model stands and why — the split now and when each revision
/// served, the rollout's steps and analysis with each SLO's error budget, an experiment's
/// numbers, online metrics, drift, versions and revisions, pull requests, replicas,
/// conditions and the newest events.
struct ModelPage {
    var chrome: PageChrome
    /// The heading: name, states and message.
    var object: ObjectSummary
    var facts: [Fact]
    var trafficChart: String
    var traffic: [TrafficRow]
    var historyChart: String
    var rollout: RolloutView?
    var experiment: ExperimentView?
    var online: [OnlineRow]
    var drift: DriftView?
    /// The serving revision's evaluation, and the candidate's.
    var evaluations: [EvaluationView]
    var timelineChart: String
    var versions: [VersionRow]
    var olderVersions: String?
    var pullRequests: [PullRequestRow]
    var replicas: [ReplicaRow]
    var conditions: [ConditionRow]
    var events: [EventRow]

    /// How many versions the table lists (the newest); the timeline shows them all.
    static let versionRows = 20

    init(_ object: ObjectStatus, status: StatusDocument, registry: ModelRegistry?, events: [Event], now: Date) {
        let model = object.model ?? ObjectStatus.ModelFields()
        chrome = PageChrome(title: object.name, crumb: "model \(object.name)", status: status, stream: PageChrome.stream(after: events, name: object.name), now: now)
        self.object = ObjectSummary(object)
        facts = [
            Fact(label: "Stable", value: model.stableVersion.map { "v\($0)" + (model.stableRevision.map { " (r\($0))" } ?? "") } ?? "none yet"),
            Fact(label: "Candidate", value: model.candidateVersion.map { "v\($0)" + (model.candidateRevision.map { " (r\($0))" } ?? "") } ?? "none"),
            Fact(label: "Endpoints", value: model.endpoints.isEmpty ? "none" : model.endpoints.joined(separator: ", ")),
            Fact(label: "Since", value: Format.time(object.createdAt)),
        ]
        trafficChart = PageCharts.split(model.traffic, model: object.name)
        traffic = model.traffic.map(TrafficRow.init)
        historyChart = PageCharts.history(registry, model: object.name, now: now)
        rollout = model.rollout.map { RolloutView($0, model: object.name, now: now) }
        experiment = model.experiment.map(ExperimentView.init)
        online = model.online.map(OnlineRow.init)
        drift = model.drift.map(DriftView.init)
        let revision = { (number: Int?) in number.flatMap { number in registry?.revisions.first { $0.number == number } } }
        evaluations = [EvaluationView(revision(model.stableRevision), role: "stable", model: object.name),
                       EvaluationView(revision(model.candidateRevision), role: "candidate", model: object.name)].compactMap { $0 }
        let allVersions = (registry?.versions ?? []).sorted { $0.number > $1.number }
        timelineChart = PageCharts.timeline(registry, model: object.name)
        versions = allVersions.prefix(Self.versionRows).map { version in
            VersionRow(version, revisions: registry?.revisions.filter { $0.version == version.number } ?? [], model: object.name)
        }
        olderVersions = allVersions.count > Self.versionRows
            ? "\(allVersions.count - Self.versionRows) older versions are on the timeline above and in `sextant history \(object.name)`." : nil
        pullRequests = model.pullRequests.sorted { $0.updatedAt > $1.updatedAt }.map { PullRequestRow($0, now: now) }
        replicas = model.replicas.map(ReplicaRow.init)
        conditions = object.conditions.map(ConditionRow.init)
        self.events = events.map(EventRow.init)
    }

    struct TrafficRow {
        var revision: String
        var version: String
        var role: String
        var weight: String
        var requests: String
        var errors: String
        var p99: String

        init(_ entry: TrafficEntry) {
            revision = "r\(entry.revision)"
            version = "v\(entry.version)"
            role = entry.role + (entry.headerRoute.map { ", \($0.name): \($0.value)" } ?? "")
            weight = entry.mirrorPercent.map { "mirror \($0)%" } ?? "\(entry.weight)%"
            requests = Format.count(entry.requests)
            errors = Format.count(entry.errors)
            p99 = entry.p99Milliseconds.map { Format.number($0, digits: 3) + " ms" } ?? "–"
        }
    }

    struct RolloutView {
        var summary: String
        var stepsChart: String
        var objectives: [ObjectiveRow]

        init(_ rollout: RolloutStatus, model: String, now: Date) {
            var summary = "\(rollout.strategy)" + (rollout.policy.map { " by \($0)" } ?? "") + ": \(rollout.phase.rawValue), step \(rollout.step) of \(rollout.steps), "
                + "\(rollout.weight)% to the candidate"
            if let verdict = rollout.verdict { summary += ", analysis \(verdict)" }
            if rollout.failures > 0 { summary += ", \(rollout.failures) failed verdict\(rollout.failures == 1 ? "" : "s")" + (rollout.failureLimit.map { " of \($0) allowed" } ?? "") }
            if rollout.paused { summary += ", paused" }
            if let until = rollout.pauseUntil { summary += ", step ends \(Format.ago(until, now: now))" }
            self.summary = summary
            stepsChart = PageCharts.steps(rollout, model: model)
            objectives = rollout.objectives.enumerated().map { index, objective in ObjectiveRow(objective, model: model, index: index) }
        }
    }

    struct ExperimentView {
        var summary: String
        var chart: String
        var arms: [ArmRow]

        struct ArmRow {
            var role: String
            var revision: String
            var units: String
            var n: String
            var mean: String
            var std: String
        }

        init(_ report: ExperimentReport) {
            summary = report.verdict + (report.message.map { ". \($0)" } ?? "")
            chart = PageCharts.experiment(report)
            arms = report.arms.map { arm in
                ArmRow(role: arm.role.rawValue, revision: "r\(arm.revision)", units: String(arm.units), n: String(arm.n), mean: Format.number(arm.mean),
                       std: Format.number(arm.std))
            }
        }
    }

    struct OnlineRow {
        var revision: String
        var rows: String
        var labelled: String
        var coverage: String
        var metrics: String

        init(_ online: OnlineRevision) {
            revision = "r\(online.revision)"
            rows = String(online.rows)
            labelled = String(online.labelledRows)
            coverage = Format.percent(online.coverage)
            metrics = online.metrics.isEmpty ? "no labelled row yet"
                : online.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.number($0.value))" }.joined(separator: ", ")
        }
    }

    struct DriftView {
        struct FeatureRow {
            var name: String
            var kind: String
            var method: String
            var statistic: String
            var threshold: String
            var drifted: String
            var tone: String
        }

        var summary: String
        var features: [FeatureRow]
        /// Reference against current per feature, drifted ones first (at most `maximumCharts`).
        var charts: [String]

        static let maximumCharts = 20

        init(_ report: DriftReport) {
            summary = report.reason.map { "No verdict: \($0)" }
                ?? "\(report.datasetDrift == true ? "Drift" : "No drift"): \(report.shareSummary) on \(report.current.rows) rows against \(report.reference.rows) reference rows"
            let verdicts = report.features + (report.prediction.map { [$0] } ?? [])
            charts = verdicts.filter { $0.histogram != nil }.sorted { ($0.drifted ? 0 : 1, $0.name) < ($1.drifted ? 0 : 1, $1.name) }
                .prefix(Self.maximumCharts).enumerated().map { index, verdict in
                    let histogram = verdict.histogram!
                    return HistogramComparison(id: "drift-\(index)", feature: verdict.name, statistic: verdict.method, value: verdict.statistic,
                                               threshold: verdict.threshold,
                                               bins: zip(histogram.bins, zip(histogram.reference, histogram.current)).map {
                                                   HistogramComparison.Bin(label: $0.0, reference: $0.1.0, current: $0.1.1)
                                               }).svg
                }
            features = verdicts.map { feature in
                FeatureRow(name: feature.name, kind: feature.kind, method: feature.method, statistic: Format.number(feature.statistic),
                           threshold: Format.number(feature.threshold), drifted: feature.drifted ? "drifted" : "no", tone: feature.drifted ? "bad" : "good")
            }
        }
    }

    struct VersionRow {
        var label: String
        var created: String
        var commit: String
        var trainer: String
        var rows: String
        var revisions: String
        var cardLink: String

        init(_ version: ModelVersion, revisions: [ModelRevision], model: String) {
            label = "v\(version.number)" + (version.retrainingCandidate == true ? " (retrained)" : "")
            created = Format.time(version.createdAt)
            commit = Format.commit(version.commit)
            trainer = version.trainer
            rows = "\(version.trainingRows) + \(version.holdoutRows)"
            self.revisions = revisions.isEmpty ? "none" : revisions.map { "r\($0.number)" }.joined(separator: ", ")
            cardLink = "/api/v1/models/\(Format.path(model))/card?version=\(version.number)"
        }
    }

    struct PullRequestRow {
        var title: String
        var url: String?
        var state: String
        var tone: String
        var purpose: String
        var branch: String
        var updated: String

        init(_ record: PullRequestRecord, now: Date) {
            title = record.number.map { "#\($0)" } ?? record.branch
            url = record.url
            state = record.state.rawValue
            tone = switch record.state {
            case .merged: "good"
            case .open, .pushed: "warn"
            case .closed: "muted"
            }
            purpose = record.purpose.rawValue
            branch = record.branch
            updated = Format.ago(record.updatedAt, now: now)
        }
    }

    struct ReplicaRow {
        var revision: String
        var role: String
        var endpoint: String
        var state: String
        var tone: String
        var crashes: String
        var detail: String

        init(_ replica: ReplicaStatus) {
            revision = "r\(replica.revision)"
            role = replica.role
            endpoint = replica.endpoint ?? "–"
            state = replica.state.rawValue
            tone = switch replica.state {
            case .ready: "good"
            case .exited: "bad"
            default: "muted"
            }
            crashes = String(replica.crashes)
            detail = replica.detail ?? ""
        }
    }
}

/// One SLO objective of a rollout's analysis, with its error budget: the bad samples it
/// may have, `(1 − target) × samples`, and the share of that still left.
struct ObjectiveRow {
    var slo: String
    var sloLink: String
    var model: String
    var modelLink: String
    var objective: String
    var target: String
    var samples: String
    var required: String
    var bad: String
    var verdict: String
    var tone: String
    var budgetChart: String

    init(_ objective: RolloutStatus.ObjectiveStatus, model: String, index: Int) {
        slo = objective.slo
        sloLink = "/slos/" + Format.path(objective.slo)
        self.model = model
        modelLink = "/models/" + Format.path(model)
        self.objective = objective.objective
        target = Format.number(objective.target)
        samples = String(objective.samples)
        required = String(objective.required)
        bad = String(objective.bad)
        verdict = objective.verdict
        tone = Format.verdict(objective.verdict)
        budgetChart = PageCharts.budget(objective, id: "budget-\(model)-\(index)")
    }

    /// The share of the error budget left, 1 with no sample; below 0 when overspent.
    static func budgetLeft(_ objective: RolloutStatus.ObjectiveStatus) -> Double? {
        guard objective.samples > 0, objective.target < 1 else { return nil }
        let allowed = (1 - objective.target) * Double(objective.samples)
        return 1 - Double(objective.bad) / allowed
    }
}
