package import Foundation
import SextantAPI
package import SextantCore
import SextantML
import SextantMonitoring

extension EmbeddedRuntime {
    /// Builds the table, and writes it to `DATA_ROOT/sextant/MODEL/<sha256>.csv` at once
    /// (a temporary file renamed): content-addressed, so an existing file is never rewritten.
    package func buildRetrainingTable(_ request: RetrainingTableRequest) async throws(ActionError) -> RetrainingTableResult {
        let bytes = try await readData(request.location)
        let built = await offPool { RetrainingTableBuilder.build(dataset: bytes, request: request) }
        switch built {
        case .blocked(let violations):
            return .blocked(violations)
        case .table(let table, let datasetRows, let addedRows, let checks):
            let sha256 = Fingerprint.sha256(table)
            let directory = URL(fileURLWithPath: request.dataRoot).appendingPathComponent("sextant").appendingPathComponent(request.model)
            let path = directory.appendingPathComponent("\(sha256).csv").path
            try await offPool { () throws(ActionError) in try Self.writeOnce(table, to: path, directory: directory.path) }
            return .built(RetrainingTable(path: path, sha256: sha256, datasetRows: datasetRows, addedRows: addedRows, checks: checks, bytes: table))
        }
    }

    /// Writes `bytes` to `path` unless it exists: a temporary file in the same directory,
    /// then a rename, so a reader never sees half a table.
    static func writeOnce(_ bytes: [UInt8], to path: String, directory: String) throws(ActionError) {
        let files = FileManager.default
        if files.fileExists(atPath: path) { return }
        let temporary = directory + "/.\(UUID().uuidString).tmp"
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 {
                let code = errno
                try? files.removeItem(atPath: temporary)
                throw ActionError("cannot move the retraining table to \(path): \(String(cString: strerror(code)))")
            }
        } catch let error as ActionError {
            throw error
        } catch {
            try? files.removeItem(atPath: temporary)
            throw ActionError("cannot write the retraining table under \(directory): \(error.localizedDescription); check --data-root")
        }
    }

    /// The candidate answers the recency rows through a private server; the serving
    /// revision's answers are the ones it logged. Both are scored as evaluation scores.
    package func evaluateRecency(_ job: RecencyEvaluationJob, at now: Date) async throws(ActionError) -> RecencyComparison {
        let columns = job.data.features
        let header = columns.map(\.name)
        let position = Dictionary(job.features.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var text = header.map(CSVField.escape).joined(separator: ",") + "\n"
        for row in job.rows {
            text += columns.map { column in
                guard let index = position[column.name], row.features.indices.contains(index) else { return "" }
                return CSVField.escape(RetrainingTableBuilder.text(row.features[index], column.logicalType))
            }.joined(separator: ",") + "\n"
        }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(Array(text.utf8))
        } catch {
            throw ActionError("the recency holdout's rows do not form a table: \(error.message)")
        }
        let truth = job.rows.map { Self.canonicalLabel(RetrainingTableBuilder.text($0.truth, job.data.targetType), job.data.targetType) }
        let data = ModelData(table: table, labels: truth, train: [], holdout: Array(0..<job.rows.count))
        let classes = job.data.task.isClassification ? job.classes : []
        let candidate = try await answers(of: job.launch, role: "recency", workspace: job.workspace, data: data, spec: job.data, classes: classes, at: now).answers
        let logged = Answers(
            labels: job.rows.allSatisfy { $0.predict != nil }
                ? job.rows.map { Self.canonicalLabel(RetrainingTableBuilder.text($0.predict!, job.data.targetType), job.data.targetType) } : nil,
            probabilities: !classes.isEmpty && job.rows.allSatisfy { $0.probabilities?.count == classes.count } ? job.rows.map { $0.probabilities! } : nil,
            classes: classes)
        return RecencyComparison(candidate: Self.defined(candidate.metrics(job.data.task, truth: truth).values),
                                 serving: Self.defined(logged.metrics(job.data.task, truth: truth).values), rows: job.rows.count)
    }
}

extension ModelData {
    /// Rows given as they are, not split: a recency holdout.
    init(table: CSVTable, labels: [String?], train: [Int], holdout: [Int]) {
        self.table = table
        self.labels = labels
        self.train = train
        self.holdout = holdout
    }
}
