package import Foundation
package import SextantAPI

/// What production says about a model (DESIGN §7): its online metrics per revision, from
/// the prediction log joined to feedback, and its logged inputs against the data contract.
/// A `SignalSource` reads them; the planner judges `accuracy` SLOs on them and status shows
/// them.
package protocol SignalSource: Sendable {
    /// The signals of each model asked about, by name; a model without any is left out.
    func observe(_ queries: [SignalQuery]) async -> [String: ModelSignals]
    /// The model's labelled production rows kept, oldest first: what a retraining adds to
    /// its table and judges on (DESIGN §7).
    func labelledRows(_ query: SignalQuery) async -> [LabelledRow]
}

/// One model, as a signal source needs it: how its logged exchanges decode into rows and
/// what its rows are checked against.
package struct SignalQuery: Sendable, Hashable {
    package var model: String
    /// The features in the model's order (the tabular convention's inputs).
    package var features: [String]
    package var task: ModelTask
    /// A classifier's classes, sorted.
    package var classes: [String]
    /// Online metrics are computed on each revision's newest `window` labelled rows.
    package var window: Int
    /// The contract table whose column rules apply to logged inputs (`contract: observe`).
    package var contract: ContractTable?
    /// Set when the model's drift is judged.
    package var drift: DriftQuery?
    /// Classified features: the log holds keyed hashes of their values, which the
    /// contract's rules do not apply to.
    package var hashed: Set<String>
    /// Set while an experiment runs: its arms' KPI values are measured.
    package var experiment: ExperimentQuery?

    package init(model: String, features: [String], task: ModelTask, classes: [String], window: Int, contract: ContractTable?,
                drift: DriftQuery? = nil, hashed: Set<String> = [], experiment: ExperimentQuery? = nil) {
        self.drift = drift
        self.experiment = experiment
        self.hashed = hashed
        self.model = model
        self.features = features
        self.task = task
        self.classes = classes
        self.window = window
        self.contract = contract
    }
}

/// A model's production signals.
package struct ModelSignals: Sendable, Hashable {
    package var online: [OnlineRevision]
    package var liveContract: LiveContractStatus?
    /// The last drift report (recomputed every `drift.interval`); nil when drift is not judged.
    package var drift: DriftReport?
    /// A running experiment's numbers (its decision still `pending`: the planner decides).
    package var experiment: ExperimentReport?

    package init(online: [OnlineRevision] = [], liveContract: LiveContractStatus? = nil, drift: DriftReport? = nil, experiment: ExperimentReport? = nil) {
        self.online = online
        self.liveContract = liveContract
        self.drift = drift
        self.experiment = experiment
    }

    package func online(_ revision: Int) -> OnlineRevision? { online.first { $0.revision == revision } }
}

/// One revision's online metrics (status `online`): over its newest `window` labelled
/// rows, the task's metrics as the evaluation defines them, and the label coverage.
package struct OnlineRevision: Sendable, Hashable, Codable {
    package var revision: Int
    /// Decoded rows the revision answered (those still kept).
    package var rows: Int
    package var labelledRows: Int
    /// `labelledRows / rows`; nil without rows.
    package var coverage: Double?
    /// By metric name (`accuracy`, `auc`, `rmse`, …); empty until a row is labelled.
    package var metrics: [String: Double]
    /// The windowed labelled rows of a classifier, newest first: when each was answered and
    /// whether its answer was right. The samples of an `accuracy` objective; not in status.
    package var outcomes: [LabelledOutcome]

    package init(revision: Int, rows: Int, labelledRows: Int, coverage: Double?, metrics: [String: Double], outcomes: [LabelledOutcome] = []) {
        self.revision = revision
        self.rows = rows
        self.labelledRows = labelledRows
        self.coverage = coverage
        self.metrics = metrics
        self.outcomes = outcomes
    }

    enum CodingKeys: String, CodingKey {
        case revision, rows, labelledRows, coverage, metrics
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decode(Int.self, forKey: .revision)
        rows = try container.decode(Int.self, forKey: .rows)
        labelledRows = try container.decode(Int.self, forKey: .labelledRows)
        coverage = try container.decodeIfPresent(Double.self, forKey: .coverage)
        metrics = try container.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
        outcomes = []
    }

    /// (labelled rows, wrong answers) among the windowed rows answered at or after `since`.
    package func accuracySamples(since: Date) -> (samples: Int, wrong: Int) {
        let recent = outcomes.filter { $0.time >= since }
        return (recent.count, recent.filter { !$0.correct }.count)
    }
}

/// A labelled row: when it was answered, and whether the answer equalled the truth.
package struct LabelledOutcome: Sendable, Hashable {
    package var time: Date
    package var correct: Bool

    package init(time: Date, correct: Bool) {
        self.time = time
        self.correct = correct
    }
}

/// The data contract on live traffic (`monitoring.contract: observe`): violations per
/// column and rule among the newest logged rows, and whether any rule is broken by more
/// than 1% of them.
package struct LiveContractStatus: Sendable, Hashable, Codable {
    /// Rows checked: the newest `online.window` decoded rows.
    package var rows: Int
    package var violations: [Violation]
    /// Set when a blocking rule is broken by more than 1% of the rows: the `LiveDataInvalid`
    /// condition's message, naming column, rule and rate.
    package var invalid: String?

    package struct Violation: Sendable, Hashable, Codable {
        package var column: String
        package var rule: String
        /// Rows breaking the rule among those checked.
        package var rows: Int
        /// Rows breaking it since the daemon started (the Prometheus counter).
        package var total: Int

        package init(column: String, rule: String, rows: Int, total: Int) {
            self.column = column
            self.rule = rule
            self.rows = rows
            self.total = total
        }
    }

    package init(rows: Int, violations: [Violation], invalid: String?) {
        self.rows = rows
        self.violations = violations
        self.invalid = invalid
    }
}
