package import Foundation
package import SextantML

/// A revision's online metrics (DESIGN §7): over its newest `window` labelled rows, the
/// task's metrics as the evaluation defines them (`TaskMetrics`), and the label coverage.
///
/// A row's predicted label is its `predict`; a classifier's row answered with
/// `predict_proba` only gets the label its probabilities give, as in evaluation. Score
/// metrics (auc, prAuc, logLoss) need the probabilities of every windowed row and are
/// undefined otherwise.
package struct OnlineMetrics: Sendable, Hashable {
    package var revision: Int
    /// Every decoded row of the revision given, labelled or not.
    package var rows: Int
    package var labelledRows: Int
    /// The labelled rows the metrics are computed on: the newest `window` of them.
    package var windowRows: Int
    /// Windowed rows whose predicted label equals the truth (classifiers; nil for
    /// regression): the good events of an `accuracy` SLO, `windowRows` its total.
    package var correctRows: Int?
    /// The task's metrics on the window; empty when no row is labelled.
    package var metrics: [MetricValue]
    /// A classifier's windowed rows, newest first: when each was answered and whether its
    /// label equals the truth (the samples of an `accuracy` objective); empty for regression.
    package var outcomes: [Outcome]

    package struct Outcome: Sendable, Hashable {
        package var time: Date
        package var correct: Bool
    }

    /// `labelledRows / rows`; nil without rows.
    package var coverage: Double? { rows == 0 ? nil : Double(labelledRows) / Double(rows) }

    /// One revision's metrics from its rows (rows of other revisions are left out).
    package init(revision: Int, rows: [JoinedRow], signature: ModelSignature, window: Int) {
        let own = rows.filter { $0.prediction.revision == revision }
        // Newest first: by prediction time, then request id and row, so the window is stable.
        let labelled = own.filter { $0.truth?.label != nil }.sorted { a, b in
            (a.prediction.time, a.prediction.requestId, a.prediction.row) > (b.prediction.time, b.prediction.requestId, b.prediction.row)
        }
        let windowed = Array(labelled.prefix(max(0, window)))
        self.revision = revision
        self.rows = own.count
        labelledRows = labelled.count
        windowRows = windowed.count
        guard !windowed.isEmpty else {
            correctRows = signature.isClassifier ? 0 : nil
            metrics = []
            outcomes = []
            return
        }
        let truth = windowed.map { $0.truth!.label! }
        let probabilities = windowed.map(\.prediction.values.probabilities)
        let scores: [[Double]]? = switch signature.task {
        case .regression: nil
        default: probabilities.allSatisfy { $0 != nil } ? probabilities.map { $0! } : nil
        }
        let labels = windowed.map { row -> String in
            if let label = row.prediction.values.predict?.label { return label }
            let probabilities = row.prediction.values.probabilities ?? []
            return TaskMetrics.labels(task: signature.task, classes: signature.classes, scores: [probabilities]).first ?? ""
        }
        let scored = TaskMetrics(task: signature.task, classes: signature.classes, truth: truth, labels: labels, scores: scores)
        metrics = scored.values
        outcomes = signature.isClassifier ? zip(windowed, zip(truth, labels)).map { Outcome(time: $0.prediction.time, correct: $1.0 == $1.1) } : []
        correctRows = signature.isClassifier ? outcomes.filter(\.correct).count : nil
    }

    /// The metrics of every revision that has rows, in revision order.
    package static func byRevision(_ rows: [JoinedRow], signature: ModelSignature, window: Int) -> [OnlineMetrics] {
        Set(rows.map(\.prediction.revision)).sorted().map { OnlineMetrics(revision: $0, rows: rows, signature: signature, window: window) }
    }
}
