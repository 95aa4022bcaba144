import Testing
import SextantML
@testable import SextantMonitoring

/// Logged values and reference fields become drift samples by the contract's logical type,
/// the same value giving the same number or category on both sides.
@Suite struct DriftValuesTests {
    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var type: ColumnType
        var logged: [RowValue]
        var fields: [String?]
        var expected: DriftValues
    }

    static let rows: [Row] = [
        Row(description: "number: integers, numbers and numeric text are numbers; null, a boolean and other text are missing", type: .number,
            logged: [.integer(3), .number(2.5), .string("7.25"), .null, .boolean(true), .string("n/a")],
            fields: ["3", "2.5", "7.25", nil, "", "n/a"],
            expected: .numbers([3, 2.5, 7.25, nil, nil, nil])),
        Row(description: "integer: numbers too (its kind follows its distinct values)", type: .integer,
            logged: [.integer(-4), .number(10), .null], fields: ["-4", "10.0", nil], expected: .numbers([-4, 10, nil])),
        Row(description: "boolean: true/false categories, whatever the spelling", type: .boolean,
            logged: [.boolean(true), .boolean(false), .string("True"), .null], fields: ["true", "false", "True", nil],
            expected: .categories(["true", "false", "true", nil])),
        Row(description: "string: the text; numbers as formatNumber writes them (1 and 1.0 are one category)", type: .string,
            logged: [.string("eu"), .integer(1), .number(1.0), .null], fields: ["eu", "1", "1", ""],
            expected: .categories(["eu", "1", "1", nil])),
        Row(description: "date and timestamp: categories of their text", type: .date,
            logged: [.string("2024-05-01"), .null], fields: ["2024-05-01", nil], expected: .categories(["2024-05-01", nil])),
    ]

    @Test("logged values and reference fields by type", arguments: rows)
    func conversion(_ row: Row) {
        #expect(DriftValues(logged: row.logged, type: row.type) == row.expected)
        #expect(DriftValues(fields: row.fields, type: row.type) == row.expected)
    }
}
