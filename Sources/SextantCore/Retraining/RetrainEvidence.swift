package import Foundation
package import SextantAPI

/// What a retraining found, as a pull request body and status show it (DESIGN §8): why it
/// started, the data it trained on, and the candidate against the serving revision on the
/// holdout and on the recency holdout.
package struct RetrainEvidence: Sendable, Hashable, Codable {
    package var model: String
    package var reasons: [RetrainReason]
    package var data: DataEvidence
    package var candidate: Side
    package var serving: Side
    /// The metric that decides (the first gate's, else `auc` or `rmse`).
    package var primaryMetric: String
    /// Every metric both sides have somewhere, the primary one first.
    package var metrics: [MetricComparison]
    /// The candidate's gates on its holdout.
    package var gates: [GateResult]
    /// The candidate's model card in brief (DESIGN §8, §9); nil in evidence recorded before.
    package var card: CardSummary?

    /// What a pull request shows of the candidate's model card: its metrics with their
    /// intervals and per slice, its top features, and the classified columns it uses.
    package struct CardSummary: Sendable, Hashable, Codable {
        package var metrics: [ModelCard.PerformanceMetric]
        /// Why the metrics carry no intervals, or why there are no slices.
        package var intervalsMissing: String?
        package var slicesMissing: String?
        /// At most `topFeatures` features.
        package var explanations: ModelCard.ExplanationTable
        package var privacy: [ClassifiedFeature]

        /// The importance table's length in a pull request.
        package static let topFeatures = 10

        package init(evaluation: Evaluation, privacy: [ClassifiedFeature]) {
            let notYet = "not computed for this version: evaluated before Sextant "
            metrics = ModelCard.performanceMetrics(evaluation)
            intervalsMissing = evaluation.intervals == nil ? notYet + "computed confidence intervals" : nil
            slicesMissing = evaluation.slices == nil ? notYet + "measured slices" : nil
            var table = ModelCard.explanationTable(evaluation)
            table.importances = Array(table.importances.prefix(Self.topFeatures))
            explanations = table
            self.privacy = privacy
        }
    }

    /// A version and the revision that served it or judged it.
    package struct Side: Sendable, Hashable, Codable {
        package var version: Int
        package var revision: Int

        package init(version: Int, revision: Int) {
            self.version = version
            self.revision = revision
        }
    }

    /// The training table: what was added to the dataset and what it was checked against.
    package struct DataEvidence: Sendable, Hashable, Codable {
        package var dataset: String
        /// The new table's content hash, and the serving version's.
        package var sha256: String
        package var previousSha256: String?
        /// Where the table lies (`file:///…`, or the dataset's path).
        package var location: String
        package var datasetRows: Int
        /// Labelled production rows appended (older than the recency holdout).
        package var addedRows: Int
        /// The newest labelled production rows, kept out of training and judged on.
        package var recencyRows: Int
        /// Contract checks the table passed.
        package var checks: Int

        package init(dataset: String, sha256: String, previousSha256: String?, location: String, datasetRows: Int, addedRows: Int,
                    recencyRows: Int, checks: Int) {
            self.dataset = dataset
            self.sha256 = sha256
            self.previousSha256 = previousSha256
            self.location = location
            self.datasetRows = datasetRows
            self.addedRows = addedRows
            self.recencyRows = recencyRows
            self.checks = checks
        }
    }

    /// One metric: candidate and serving on the holdout and on the recency holdout.
    package struct MetricComparison: Sendable, Hashable, Codable {
        package var metric: String
        /// Whether a higher value is worse (errors, losses).
        package var lowerIsBetter: Bool
        package var holdout: Pair
        package var recency: Pair

        package init(metric: String, lowerIsBetter: Bool = false, holdout: Pair, recency: Pair) {
            self.metric = metric
            self.lowerIsBetter = lowerIsBetter
            self.holdout = holdout
            self.recency = recency
        }
    }

    package struct Pair: Sendable, Hashable, Codable {
        package var candidate: Double?
        package var serving: Double?

        package init(candidate: Double?, serving: Double?) {
            self.candidate = candidate
            self.serving = serving
        }

        /// Candidate minus serving, when both exist.
        package var delta: Double? {
            guard let candidate, let serving else { return nil }
            return candidate - serving
        }
    }

    package init(model: String, reasons: [RetrainReason], data: DataEvidence, candidate: Side, serving: Side, primaryMetric: String,
                metrics: [MetricComparison], gates: [GateResult], card: CardSummary? = nil) {
        self.card = card
        self.model = model
        self.reasons = reasons
        self.data = data
        self.candidate = candidate
        self.serving = serving
        self.primaryMetric = primaryMetric
        self.metrics = metrics
        self.gates = gates
    }

    /// Where the decision is made: the primary metric on the recency holdout; when the
    /// serving revision's logged answers cannot give it (`auc` needs probabilities a client
    /// may not have asked for), the next metric both sides have there; without recency rows,
    /// the primary metric on the holdout.
    package var deciding: (metric: MetricComparison, pair: Pair, on: String)? {
        func complete(_ pair: Pair) -> Bool { pair.candidate != nil && pair.serving != nil }
        if data.recencyRows > 0, let row = metrics.first(where: { complete($0.recency) }) { return (row, row.recency, "the recency holdout") }
        if let row = metrics.first(where: { $0.metric == primaryMetric }), complete(row.holdout) { return (row, row.holdout, "the holdout") }
        return nil
    }

    /// Whether the candidate passes its gates and beats the serving revision where the
    /// decision is made.
    package var candidateIsBetter: Bool {
        guard gates.allSatisfy(\.passed), let (row, pair, _) = deciding, let candidate = pair.candidate, let serving = pair.serving else { return false }
        return row.lowerIsBetter ? candidate < serving : candidate > serving
    }

    /// One line with the numbers: `v3 auc 0.912 on the recency holdout vs 0.934 of serving r2`.
    package var verdict: String {
        let failed = gates.filter { !$0.passed }
        if !failed.isEmpty { return "v\(candidate.version) fails its gates: \(failed.map(\.summary).joined(separator: "; "))" }
        guard let (row, pair, on) = deciding else {
            return "v\(candidate.version) and serving r\(serving.revision) have no \(primaryMetric) to compare"
        }
        return "v\(candidate.version) \(row.metric) \(pair.candidate.map(formatMetric) ?? "undefined") on \(on) vs "
            + "\(pair.serving.map(formatMetric) ?? "undefined") of serving r\(serving.revision)"
    }
}

/// The last retraining of a model: its candidate and what became of it (status).
package struct RetrainCandidate: Sendable, Hashable, Codable {
    package enum Outcome: String, Sendable, Hashable, Codable {
        /// Better on today's data: proposed to Git (or kept in status with `promotion: none`).
        case ready = "CandidateReady"
        /// Not better: nothing proposed.
        case rejected = "RetrainRejected"
        /// The training table breaks the data contract: nothing trained.
        case blocked = "RetrainBlocked"
        /// The retraining could not run (a trainer or server failure).
        case failed = "RetrainFailed"
    }

    package var outcome: Outcome
    package var version: Int?
    package var message: String
    package var evidence: RetrainEvidence?
    /// The branch its change is proposed on (the model's `pullRequests` say what became of it).
    package var branch: String?
    package var at: Date

    package init(outcome: Outcome, version: Int?, message: String, evidence: RetrainEvidence? = nil, branch: String? = nil, at: Date) {
        self.outcome = outcome
        self.version = version
        self.message = message
        self.evidence = evidence
        self.branch = branch
        self.at = at
    }
}
