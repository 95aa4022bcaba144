import Foundation
import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring

/// A `data: feedback` retraining's table (DESIGN §7), from bytes to bytes: the dataset's
/// rows as they are, then one row per labelled production row — the features as logged
/// and the target from feedback, written as the contract types them, every other column
/// empty — checked against the contract.
enum RetrainingTableBuilder {
    /// The table's bytes and rows, or every broken rule (column and rule named).
    enum Built: Equatable {
        case table(bytes: [UInt8], datasetRows: Int, addedRows: Int, checks: Int)
        case blocked([String])
    }

    static func build(dataset bytes: [UInt8], request: RetrainingTableRequest) -> Built {
        let dataset: CSVTable
        do throws(CSVError) {
            dataset = try CSVTable(bytes)
        } catch {
            return .blocked(["\(request.location):\(error.line): \(error.message)"])
        }
        let types = Dictionary((request.table.properties ?? []).map { ($0.name, $0.logicalType ?? .string) }, uniquingKeysWith: { first, _ in first })
        let featureIndex = Dictionary(request.features.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let newline = bytes.contains(UInt8(ascii: "\r")) ? "\r\n" : "\n"
        var out = bytes
        if let last = out.last, last != UInt8(ascii: "\n") { out += Array(newline.utf8) }
        for row in request.rows {
            let fields = dataset.header.map { column -> String in
                let type = types[column] ?? .string
                if column == request.target { return text(row.truth, type) }
                guard let index = featureIndex[column], row.features.indices.contains(index) else { return "" }
                return text(row.features[index], type)
            }
            out += Array((fields.map(CSVField.escape).joined(separator: ",") + newline).utf8)
        }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(out)
        } catch {
            return .blocked(["the training table:\(error.line): \(error.message)"])
        }
        let report = request.table.rules.check(table)
        guard report.violations.isEmpty else {
            return .blocked(report.violations.map { $0.message(table: request.table.name) })
        }
        return .table(bytes: out, datasetRows: dataset.rowCount, addedRows: request.rows.count, checks: report.outcomes.count)
    }

    /// A logged value as the contract types its column: `3` for an integer, `0.25` for a
    /// number, `true` for a boolean; empty for null.
    static func text(_ value: JSONValue, _ type: LogicalType) -> String {
        switch (value, type) {
        case (.null, _): ""
        case (.integer(let number), .number): formatNumber(Double(number))
        case (.integer(let number), _): String(number)
        case (.number(let number), .integer) where number.rounded() == number && abs(number) < 9e15: String(Int64(number))
        case (.number(let number), _): formatNumber(number)
        case (.bool(let flag), .integer), (.bool(let flag), .number): flag ? "1" : "0"
        case (.bool(let flag), _): flag ? "true" : "false"
        case (.string(let text), _): text
        case (.array, _), (.object, _): ""
        }
    }
}
