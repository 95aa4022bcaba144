package import SextantAPI

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
