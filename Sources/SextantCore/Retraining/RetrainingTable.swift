package import Foundation
package import SextantAPI

/// A labelled production row, as the signal source hands it over for a retraining: the
/// features as logged, the truth from feedback, and what the revision answered.
package struct LabelledRow: Sendable, Hashable {
    package var time: Date
    package var revision: Int
    /// One value per feature, in the query's order, typed as sent.
    package var features: [JSONValue]
    package var truth: JSONValue
    /// `predict` as answered; nil when only probabilities were asked for.
    package var predict: JSONValue?
    /// `predict_proba` in the query's sorted class order.
    package var probabilities: [Double]?

    package init(time: Date, revision: Int, features: [JSONValue], truth: JSONValue, predict: JSONValue? = nil, probabilities: [Double]? = nil) {
        self.time = time
        self.revision = revision
        self.features = features
        self.truth = truth
        self.predict = predict
        self.probabilities = probabilities
    }
}

extension Array where Element == LabelledRow {
    /// The recency holdout: the newest 20% of the rows (rounded up), never trained on; and
    /// the older rows, which the training table gets.
    package func splitByRecency(share: Double = 0.2) -> (older: [LabelledRow], recent: [LabelledRow]) {
        let sorted = self.sorted { $0.time < $1.time }
        let recent = Int((Double(sorted.count) * share).rounded(.up))
        return (Array(sorted.dropLast(recent)), Array(sorted.suffix(recent)))
    }
}

/// What a `data: feedback` retraining's table is built from.
package struct RetrainingTableRequest: Sendable, Hashable {
    package var model: String
    package var dataset: String
    /// The dataset's rows now, and their hash.
    package var location: DataLocation
    package var sha256: String
    /// The contract table the rows are typed by and checked against.
    package var table: ContractTable
    package var target: String
    /// The features in the order of `LabelledRow.features`.
    package var features: [String]
    /// The labelled production rows to append (older than the recency holdout).
    package var rows: [LabelledRow]
    /// `DATA_ROOT`: the table is written to `DATA_ROOT/sextant/MODEL/<sha256>.csv`.
    package var dataRoot: String

    package init(model: String, dataset: String, location: DataLocation, sha256: String, table: ContractTable, target: String,
                features: [String], rows: [LabelledRow], dataRoot: String) {
        self.model = model
        self.dataset = dataset
        self.location = location
        self.sha256 = sha256
        self.table = table
        self.target = target
        self.features = features
        self.rows = rows
        self.dataRoot = dataRoot
    }
}

/// A training table written content-addressed, checked against the contract.
package struct RetrainingTable: Sendable, Hashable {
    /// The file's absolute path (`DATA_ROOT/sextant/MODEL/<sha256>.csv`).
    package var path: String
    package var sha256: String
    package var datasetRows: Int
    package var addedRows: Int
    /// Contract checks it passed.
    package var checks: Int
    /// Its content: what a dataset read from the repository commits at its path.
    package var bytes: [UInt8]

    package init(path: String, sha256: String, datasetRows: Int, addedRows: Int, checks: Int, bytes: [UInt8]) {
        self.path = path
        self.sha256 = sha256
        self.datasetRows = datasetRows
        self.addedRows = addedRows
        self.checks = checks
        self.bytes = bytes
    }

    package var uri: String { "file://" + path }
}

/// A built table, or the contract rules it breaks (nothing is written or trained).
package enum RetrainingTableResult: Sendable, Hashable {
    case built(RetrainingTable)
    /// Each broken rule, naming its column and rule.
    case blocked([String])
}

/// The candidate and the serving revision on the recency holdout: the candidate answers
/// through a private server; the serving revision's answers are the ones it logged.
package struct RecencyEvaluationJob: Sendable, Hashable {
    package var launch: ServingLaunch
    package var workspace: Workspace?
    /// The rows' types and the task (its location is not read).
    package var data: TrainingData
    /// The features in the order of `LabelledRow.features`.
    package var features: [String]
    package var classes: [String]
    package var rows: [LabelledRow]

    package init(launch: ServingLaunch, workspace: Workspace?, data: TrainingData, features: [String], classes: [String], rows: [LabelledRow]) {
        self.launch = launch
        self.workspace = workspace
        self.data = data
        self.features = features
        self.classes = classes
        self.rows = rows
    }
}

/// Metrics by name on the recency holdout.
package struct RecencyComparison: Sendable, Hashable {
    package var candidate: [String: Double]
    package var serving: [String: Double]
    package var rows: Int

    package init(candidate: [String: Double], serving: [String: Double], rows: Int) {
        self.candidate = candidate
        self.serving = serving
        self.rows = rows
    }
}
