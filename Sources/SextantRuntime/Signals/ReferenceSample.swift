import Foundation
import SextantCore
import SextantML
import SextantWire

/// A version's reference for drift (DESIGN §7): a deterministic sample of at most 10,000 of
/// its training split's rows (the features only), and its `predict` answers on the
/// evaluation holdout, kept beside its files (`DriftQuery.referenceDirectory`).
struct ReferenceSample: Sendable {
    /// Rows kept at most.
    static let maximumRows = 10_000

    /// Training rows kept: the sample's rows.
    var rows: Int
    /// Each feature's fields, by name (nil: empty).
    var columns: [String: [String?]]
    /// The version's answers on the holdout; nil when none were kept.
    var predictions: [String?]?

    /// Which training rows are kept: all of up to 10,000, else 10,000 chosen by a shuffle
    /// seeded from the training fingerprint, in the table's order.
    static func sampledRows(_ train: [Int], fingerprint: String) -> [Int] {
        guard train.count > maximumRows else { return train }
        var rows = train
        var generator = SplitMix64(seed: UInt64(fingerprint.prefix(16), radix: 16) ?? 0)
        for index in stride(from: rows.count - 1, through: 1, by: -1) {
            rows.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        return rows.prefix(maximumRows).sorted()
    }

    /// Reads a version's sample; nil when it has none (trained before samples were kept).
    static func read(state: String, modelDirectory: String) throws(ReferenceError) -> ReferenceSample? {
        let directory = state + "/" + DriftQuery.referenceDirectory(modelDirectory: modelDirectory)
        let rowsPath = directory + "/" + DriftQuery.referenceRowsFile
        guard let rowsBytes = FileManager.default.contents(atPath: rowsPath) else { return nil }
        let table = try Self.table(rowsBytes, path: rowsPath)
        var columns: [String: [String?]] = [:]
        for (index, name) in table.header.enumerated() {
            columns[name] = (0..<table.rowCount).map { table.text(row: $0, column: index) }
        }
        var predictions: [String?]?
        let predictionsPath = directory + "/" + DriftQuery.referencePredictionsFile
        if let bytes = FileManager.default.contents(atPath: predictionsPath) {
            let answers = try Self.table(bytes, path: predictionsPath)
            predictions = answers.columnIndex("predict").map { column in (0..<answers.rowCount).map { answers.text(row: $0, column: column) } }
        }
        return ReferenceSample(rows: table.rowCount, columns: columns, predictions: predictions)
    }

    private static func table(_ data: Data, path: String) throws(ReferenceError) -> CSVTable {
        do throws(CSVError) {
            return try CSVTable(Array(data))
        } catch {
            throw ReferenceError(message: "\(path):\(error.line): \(error.message)")
        }
    }
}

/// A reference sample that cannot be read: one line naming the file.
struct ReferenceError: Error, Sendable {
    var message: String
}

extension EmbeddedRuntime {
    /// Keeps a trained version's reference sample beside its files (replacing an older one).
    static func keepReference(_ job: TrainingJob, data: ModelData, state: String, modelDirectory: String) throws(ActionError) {
        let directory = state + "/" + DriftQuery.referenceDirectory(modelDirectory: modelDirectory)
        let columns = job.data.features.compactMap { data.table.columnIndex($0.name) }
        let rows = ReferenceSample.sampledRows(data.train, fingerprint: job.fingerprint)
        let hashed = try hashedColumns(job.data.features, data: data, state: state)
        do {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(data.csv(rows: rows, columns: columns, rewrite: hashed)).write(to: URL(fileURLWithPath: directory + "/" + DriftQuery.referenceRowsFile))
        } catch {
            throw ActionError("cannot keep the reference sample in \(directory): \(error.localizedDescription)")
        }
    }

    /// Classified features' columns with how their fields are kept: hashed with the
    /// prediction log's key, as the gateway hashes the same values when it logs them, so the
    /// reference and the log compare (and no clear value is kept).
    private static func hashedColumns(_ features: [SextantCore.FeatureColumn], data: ModelData, state: String) throws(ActionError) -> [Int: (String) -> String] {
        let classified = features.filter(\.isClassified)
        guard !classified.isEmpty else { return [:] }
        let key: PredictionLogKey
        do throws(PredictionLogKeyError) {
            key = try PredictionLogKey.loadOrCreate(state: state)
        } catch {
            throw ActionError("cannot keep the reference sample of classified features: \(error)")
        }
        var hashed: [Int: (String) -> String] = [:]
        for feature in classified {
            guard let column = data.table.columnIndex(feature.name) else { continue }
            let type = feature.logicalType.columnType
            hashed[column] = { text in
                switch type.parse(text) {
                case .number(let number)?: key.hash(PredictionLogKey.text(number))
                case .boolean(let flag)?: key.hash(flag ? "true" : "false")
                default: key.hash(text)
                }
            }
        }
        return hashed
    }

    /// Keeps the version's answers on the holdout as its prediction reference.
    static func keepReferencePredictions(_ labels: [String], state: String, modelDirectory: String) throws(ActionError) {
        let directory = state + "/" + DriftQuery.referenceDirectory(modelDirectory: modelDirectory)
        var text = "predict\n"
        for label in labels {
            text += label.isEmpty || label.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"\(label.replacingOccurrences(of: "\"", with: "\"\""))\"\n" : label + "\n"
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + DriftQuery.referencePredictionsFile))
        } catch {
            throw ActionError("cannot keep the reference predictions in \(directory): \(error.localizedDescription)")
        }
    }
}
