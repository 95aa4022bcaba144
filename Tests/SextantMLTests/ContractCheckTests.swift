import Testing
@testable import SextantML

/// Each rule against a small table; messages name the rule, the column, the measured value
/// and the limit.
@Suite struct ContractCheckTests {
    static let csv = """
        id,amount,region,hour,day,code
        1,10.5,eu,3,2024-01-01,AB-1
        2,0,us,23,2024-01-02,AB-2
        3,,apac,7,2024-01-03,XY-3
        3,-1,mars,24,not-a-date,ab-4
        5,1e2,eu,x,2024-01-05,

        """

    func violations(_ rules: TableRules) throws -> [String] {
        let table = try CSVTable(Array(Self.csv.utf8))
        return rules.check(table).violations.map { $0.message(table: "t") }
    }

    func column(_ rules: ColumnRules) throws -> [String] {
        try violations(TableRules(name: "t", columns: [rules]))
    }

    @Test("types: values that are not of the logical type are counted, with the first line")
    func types() throws {
        #expect(try column(ColumnRules(name: "hour", type: .integer)) == ["t.hour: logicalType integer = 1 row, must be 0 (first at line 6: \"x\")"])
        #expect(try column(ColumnRules(name: "day", type: .date)) == ["t.day: logicalType date = 1 row, must be 0 (first at line 5: \"not-a-date\")"])
        #expect(try column(ColumnRules(name: "amount", type: .number)).isEmpty)
    }

    @Test("required and unique")
    func requiredUnique() throws {
        #expect(try column(ColumnRules(name: "amount", type: .number, required: true)) == ["t.amount: required = 1 row, must be 0 (first at line 4)"])
        #expect(try column(ColumnRules(name: "id", type: .integer, unique: true)) == ["t.id: unique = 1 row, must be 0 (first at line 5: \"3\")"])
    }

    @Test("ranges compare by the logical type, inclusive unless exclusive")
    func ranges() throws {
        #expect(try column(ColumnRules(name: "amount", type: .number, minimum: Bound("0"))) == ["t.amount: minimum 0 = 1 row, must be 0 (first at line 5: \"-1\")"])
        #expect(try column(ColumnRules(name: "amount", type: .number, minimum: Bound("0", exclusive: true))) == ["t.amount: exclusiveMinimum 0 = 2 rows, must be 0 (first at line 3: \"0\")"])
        #expect(try column(ColumnRules(name: "hour", type: .integer, maximum: Bound("23"))) == ["t.hour: logicalType integer = 1 row, must be 0 (first at line 6: \"x\")", "t.hour: maximum 23 = 1 row, must be 0 (first at line 5: \"24\")"])
        #expect(try column(ColumnRules(name: "amount", type: .number, maximum: Bound("100.0", exclusive: true))) == ["t.amount: exclusiveMaximum 100.0 = 1 row, must be 0 (first at line 6: \"1e2\")"])
        #expect(try column(ColumnRules(name: "day", type: .date, minimum: Bound("2024-01-02"))) == [
            "t.day: logicalType date = 1 row, must be 0 (first at line 5: \"not-a-date\")",
            "t.day: minimum 2024-01-02 = 1 row, must be 0 (first at line 2: \"2024-01-01\")",
        ])
    }

    @Test("a rule that counts rows reads as a condition on values; other rules have none", arguments: [
        (ColumnRules(name: "hour", type: .integer, maximum: Bound("23")), ["hour is a valid integer", "hour ≤ 23"]),
        (ColumnRules(name: "amount", type: .number, minimum: Bound("0", exclusive: true)), ["amount > 0"]),
        (ColumnRules(name: "amount", type: .number, required: true), ["amount required"]),
        (ColumnRules(name: "region", type: .string, maxLength: 3), ["length of region ≤ 3"]),
        (ColumnRules(name: "code", type: .string, pattern: "^[A-Z]"), ["code matches ^[A-Z]"]),
        (ColumnRules(name: "region", type: .string, quality: [QualityCheck(.invalidValues(validValues: ["eu"], pattern: nil), .equal(0))]), [nil]),
        (ColumnRules(name: "absent", type: .string), [nil]),
    ] as [(ColumnRules, [String?])])
    func conditions(rules: ColumnRules, expected: [String?]) throws {
        let table = try CSVTable(Array(Self.csv.utf8))
        #expect(TableRules(name: "t", columns: [rules]).check(table).violations.map(\.condition) == expected)
    }

    @Test("lengths and patterns on text (a pattern is searched, as regexp_matches does)")
    func text() throws {
        #expect(try column(ColumnRules(name: "region", type: .string, minLength: 3)) == ["t.region: minLength 3 = 3 rows, must be 0 (first at line 2: \"eu\")"])
        #expect(try column(ColumnRules(name: "region", type: .string, maxLength: 3)) == ["t.region: maxLength 3 = 2 rows, must be 0 (first at line 4: \"apac\")"])
        #expect(try column(ColumnRules(name: "code", type: .string, pattern: "^[A-Z]{2}-[0-9]$")) == ["t.code: pattern ^[A-Z]{2}-[0-9]$ = 1 row, must be 0 (first at line 5: \"ab-4\")"])
    }

    @Test("quality metrics, operators and units")
    func quality() throws {
        func rule(_ column: String, _ check: QualityCheck, type: ColumnType = .string) throws -> [String] {
            try self.column(ColumnRules(name: column, type: type, quality: [check]))
        }
        #expect(try rule("region", QualityCheck(.invalidValues(validValues: ["eu", "us", "apac"], pattern: nil), .equal(0))) == ["t.region: invalidValues = 1 row, must be 0 (first at line 5: \"mars\")"])
        #expect(try rule("amount", QualityCheck(.nullValues, .equal(0)), type: .number) == ["t.amount: nullValues = 1 row, must be 0 (first at line 4)"])
        #expect(try rule("amount", QualityCheck(.nullValues, .lessThan(10), unit: .percent), type: .number) == ["t.amount: nullValues = 20%, must be less than 10 (first at line 4)"])
        #expect(try rule("amount", QualityCheck(.nullValues, .lessOrEqual(20), unit: .percent), type: .number).isEmpty)
        #expect(try rule("code", QualityCheck(.missingValues([nil, "", "n/a"]), .equal(0))) == ["t.code: missingValues = 1 row, must be 0 (first at line 6)"])
        #expect(try rule("id", QualityCheck(.duplicateValues(columns: ["id"]), .equal(0)), type: .integer) == ["t.id: duplicateValues = 1 row, must be 0 (first at line 5: \"3\")"])
        #expect(try rule("code", QualityCheck(.invalidValues(validValues: nil, pattern: "^[A-Z]"), .lessOrEqual(0))) == ["t.code: invalidValues = 1 row, must be at most 0 (first at line 5: \"ab-4\")"])
        #expect(try rule("id", QualityCheck(.invalidValues(validValues: nil, pattern: "^[0-9]$"), .between(0, 1)), type: .integer).isEmpty)
        #expect(try rule("id", QualityCheck(.duplicateValues(columns: ["id"]), .notBetween(1, 2)), type: .integer) == ["t.id: duplicateValues = 1 row, must not be between 1 and 2 (first at line 5: \"3\")"])
    }

    @Test("valid values compare by type: 1 and 1.0 are the same number")
    func typedValidValues() throws {
        let table = try CSVTable(Array("x\n1\n2.0\n3\n".utf8))
        let rules = TableRules(name: "t", columns: [ColumnRules(name: "x", type: .number, quality: [
            QualityCheck(.invalidValues(validValues: ["1.0", "2", "3"], pattern: nil), .equal(0)),
        ])])
        #expect(rules.check(table).passed)
    }

    @Test("table rules: row count, duplicates over several columns, and a missing column")
    func table() throws {
        let rules = TableRules(name: "t", columns: [ColumnRules(name: "absent", type: .string)], quality: [
            QualityCheck(.rowCount, .greaterThan(100)),
            QualityCheck(.duplicateValues(columns: ["id", "region"]), .equal(0)),
            QualityCheck(.duplicateValues(columns: ["id"]), .equal(0)),
        ])
        #expect(try violations(rules) == [
            "t.absent: no such column in the data; its header has id, amount, region, hour, day, code",
            "t: rowCount = 5 rows, must be greater than 100",
            "t: duplicateValues = 1 row, must be 0 (first at line 5)",
        ])
    }

    @Test("severity warning and rules that cannot run are warnings, not violations")
    func warnings() throws {
        let table = try CSVTable(Array(Self.csv.utf8))
        let rules = TableRules(name: "t", columns: [ColumnRules(name: "region", type: .string, quality: [
            QualityCheck(.invalidValues(validValues: ["eu"], pattern: nil), .equal(0), blocking: false),
        ])], quality: [QualityCheck(.rowCount, .greaterThan(50), unit: .percent)])
        let report = rules.check(table)
        #expect(report.passed)
        #expect(report.warnings.map { $0.message(table: "t") } == [
            "t.region: invalidValues = 3 rows, must be 0 (first at line 3: \"us\")",
            "t: rowCount = 5 rows, must be greater than 50 (not evaluated: unit percent applies to nullValues, missingValues and invalidValues only)",
        ])
    }

    @Test("every outcome is reported, passing ones too: the count status shows")
    func counts() throws {
        let table = try CSVTable(Array(Self.csv.utf8))
        let report = TableRules(name: "t", columns: [ColumnRules(name: "region", type: .string, required: true, unique: false)]).check(table)
        #expect(report.outcomes.count == 2)
        #expect(report.passed)
    }
}
