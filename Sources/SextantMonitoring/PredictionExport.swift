import Foundation
import SextantML

/// `sextant predictions MODEL [--with-feedback] -o csv|jsonl` (DESIGN §7): decoded rows with
/// the columns `requestId, row, time, revision, version, <features…>, predict,
/// proba.<class>…` (classifiers, classes in sorted order) and, with feedback, `truth,
/// kpi.<name>…` (KPI names sorted).
///
/// CSV follows RFC 4180 (a header record, CRLF, quoting where needed; a missing value is an
/// empty field). JSONL is one object per row with those keys in that order and typed values:
/// integers stay integers, numbers keep a fraction or exponent (`3.0`), booleans are
/// `true`/`false`, a missing value is `null`. `time` is UTC ISO 8601 with milliseconds.
package struct PredictionExport: Sendable {
    package enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    package var format: Format
    package var signature: ModelSignature
    /// nil: no feedback columns; otherwise the KPI columns, in this order.
    package var kpiNames: [String]?

    package init(format: Format, signature: ModelSignature, kpiNames: [String]?) {
        self.format = format
        self.signature = signature
        self.kpiNames = kpiNames
    }

    /// The whole export of `rows`: with feedback, a column for every KPI any row has.
    package static func render(_ rows: [JoinedRow], format: Format, signature: ModelSignature, withFeedback: Bool) -> String {
        let kpiNames = withFeedback ? Set(rows.flatMap(\.kpi.keys)).sorted() : nil
        let export = PredictionExport(format: format, signature: signature, kpiNames: kpiNames)
        return (export.header ?? "") + rows.map(export.line).joined()
    }

    /// Column names in order.
    package var columns: [String] {
        var names = ["requestId", "row", "time", "revision", "version"] + signature.features + ["predict"]
        names += signature.classes.map { "proba.\($0)" }
        if let kpiNames { names += ["truth"] + kpiNames.map { "kpi.\($0)" } }
        return names
    }

    /// The CSV header record; nil for JSONL.
    package var header: String? {
        format == .csv ? CSVField.record(columns) : nil
    }

    /// One row: a CSV record or a JSON line, each ending its line.
    package func line(_ row: JoinedRow) -> String {
        let prediction = row.prediction
        var values: [RowValue] = [.string(prediction.requestId), .integer(Int64(prediction.row)), .string(Self.timestamp(prediction.time)),
                                  .integer(Int64(prediction.revision)), .integer(Int64(prediction.version))]
        values += prediction.values.features
        values.append(prediction.values.predict ?? .null)
        let probabilities = prediction.values.probabilities
        values += signature.classes.indices.map { index in
            probabilities.map { $0.indices.contains(index) ? RowValue.number($0[index]) : .null } ?? .null
        }
        if let kpiNames {
            values.append(row.truth ?? .null)
            values += kpiNames.map { name in row.kpi[name].map(RowValue.number) ?? .null }
        }
        switch format {
        case .csv:
            return CSVField.record(values.map(\.text))
        case .jsonl:
            let fields = zip(columns, values).map { Self.json(string: $0) + ":" + Self.json($1) }
            return "{" + fields.joined(separator: ",") + "}\n"
        }
    }

    /// `2025-03-01T12:00:00.250Z`
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func json(_ value: RowValue) -> String {
        switch value {
        case .integer(let number): String(number)
        // Every number in a row is finite: the decoder refuses infinities and reads NaN as missing.
        case .number(let number): number.isFinite ? String(number) : "null"
        case .boolean(let flag): String(flag)
        case .string(let text): json(string: text)
        case .null: "null"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func json(string text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
