import Foundation
package import SextantAPI
import SextantCore
import SextantML

/// A model's rows, read and split exactly as DESIGN §2 says, the same way for training
/// and for evaluation (whatever the trainer).
struct ModelData {
    let table: CSVTable
    /// Each row's label, nil when the target is missing (such rows are left out).
    let labels: [String?]
    /// Row indices of the table.
    let train: [Int]
    let holdout: [Int]

    init(_ data: TrainingData, bytes: [UInt8]) throws(ActionError) {
        do throws(CSVError) {
            table = try CSVTable(bytes)
        } catch {
            throw ActionError("\(data.location):\(error.line): \(error.message)", reason: "DataUnreadable")
        }
        let labels: [String?]
        do throws(TrainingError) {
            labels = try ModelTrainer.labels(table, target: data.target, type: data.targetType.columnType)
        } catch {
            throw ActionError(error.message, reason: "BadTarget")
        }
        self.labels = labels
        let present = (0..<table.rowCount).filter { labels[$0] != nil }
        guard present.count >= 2 else {
            throw ActionError("only \(present.count) row\(present.count == 1 ? "" : "s") of \(data.dataset) ha\(present.count == 1 ? "s" : "ve") a value for \(data.target); training needs more", reason: "TooFewRows")
        }
        let split = Split(count: present.count, holdout: data.holdout, seed: data.splitSeed,
                          labels: data.stratify ? present.map { labels[$0]! } : nil)
        train = split.train.map { present[$0] }
        holdout = split.holdout.map { present[$0] }
    }

    /// The same data with only the holdout rows at `positions` (positions in `holdout`).
    func holdoutSample(_ positions: [Int]) -> ModelData {
        ModelData(table: table, labels: labels, train: train, holdout: positions.map { holdout[$0] })
    }

    /// The labels of the rows that have one, in sorted class order (DESIGN §5).
    var classes: [String] {
        ClassOrder.sorted(Array(Set((train + holdout).compactMap { labels[$0] })))
    }

    /// Some rows as CSV (the header and the rows' values, quoted where needed): what an
    /// external trainer reads from `SEXTANT_TRAIN_DATA` and `SEXTANT_EVAL_DATA`; with
    /// `columns`, only those (a reference sample's features).
    /// - Parameter rewrite: per column, what each non-empty field is written as instead.
    func csv(rows: [Int], columns: [Int]? = nil, rewrite: [Int: (String) -> String] = [:]) -> [UInt8] {
        let columns = columns ?? Array(table.header.indices)
        var out: [UInt8] = []
        func field(_ text: String?) {
            guard let text else { return }
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.isEmpty {
                out += Array("\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"".utf8)
            } else {
                out += Array(text.utf8)
            }
        }
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            field(table.header[column])
        }
        out.append(UInt8(ascii: "\n"))
        for row in rows {
            for (index, column) in columns.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                let text = table.text(row: row, column: column)
                if let text, !text.isEmpty, let rewrite = rewrite[column] { field(rewrite(text)) } else { field(text) }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

extension LogicalType {
    var columnType: ColumnType {
        switch self {
        case .string: .string
        case .integer: .integer
        case .number: .number
        case .boolean: .boolean
        case .date: .date
        case .timestamp: .timestamp
        }
    }

    /// The Open Inference Protocol datatype of the tabular convention (DESIGN §5).
    package var inferenceDatatype: String {
        switch self {
        case .number: "FP64"
        case .integer: "INT64"
        case .boolean: "BOOL"
        case .string, .date, .timestamp: "BYTES"
        }
    }
}
