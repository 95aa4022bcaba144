import SextantML
@testable import SextantMonitoring
import Testing

@Suite struct LiveContractCheckTests {
    static let rules = TableRules(name: "transactions", columns: [
        ColumnRules(name: "amount", type: .number, required: true, unique: true, minimum: Bound("0")),
        ColumnRules(name: "hour", type: .integer, minimum: Bound("0"), maximum: Bound("23")),
        ColumnRules(name: "region", type: .string, pattern: "^[a-z]+$",
                    quality: [QualityCheck(.invalidValues(validValues: ["eu", "us"], pattern: nil), .equal(0)),
                              QualityCheck(.nullValues, .lessThan(30), unit: .percent),
                              QualityCheck(.duplicateValues(columns: ["region"]), .equal(0))]),
        ColumnRules(name: "is_fraud", type: .boolean, required: true),
    ], quality: [QualityCheck(.rowCount, .greaterThan(1000))])

    static let check = LiveContractCheck(rules: rules, features: ["amount", "hour", "region"])

    static func finding(_ report: LiveContractReport, _ column: String, _ rule: String) -> LiveContractFinding? {
        report.findings.first { $0.column == column && $0.rule == rule }
    }

    @Test("each rule counts the rows that break it; stream-less rules and the target are left out")
    func counts() {
        let rows: [[RowValue]] = [
            [.number(12.5), .integer(3), .string("eu")],
            [.number(-1), .integer(24), .string("us")],
            [.null, .number(2.5), .string("Mars")],
            [.integer(7), .integer(23), .null],
        ]
        let report = Self.check.check(rows)
        #expect(report.rows == 4)
        #expect(Self.finding(report, "amount", "minimum")?.violations == 1)
        #expect(Self.finding(report, "amount", "required")?.violations == 1)
        #expect(Self.finding(report, "hour", "maximum")?.violations == 1)
        #expect(Self.finding(report, "hour", "logicalType")?.violations == 1, "2.5 is no integer")
        #expect(Self.finding(report, "region", "pattern")?.violations == 1)
        #expect(Self.finding(report, "region", "invalidValues")?.violations == 1)
        #expect(Self.finding(report, "region", "nullValues")?.violations == 0, "1 null in 4 rows is 25%, under the contract's 30%")
        #expect(Self.finding(report, "amount", "unique") == nil && Self.finding(report, "region", "duplicateValues") == nil)
        #expect(!report.findings.contains { $0.column == "is_fraud" || $0.rule == "rowCount" })
        #expect(Self.finding(report, "amount", "minimum")?.limit == "minimum 0")
    }

    @Test("a quality rule whose condition fails counts every value it counted")
    func qualityCondition() {
        let report = Self.check.check([[.number(1), .integer(1), .null], [.number(1), .integer(1), .null], [.number(1), .integer(1), .string("eu")]])
        #expect(Self.finding(report, "region", "nullValues")?.violations == 2)
    }

    @Test("over 1% of rows breaking a rule makes the inputs invalid, with a message naming column, rule and rate")
    func invalid() {
        var rows = Array(repeating: [RowValue.number(5), .integer(12), .string("eu")], count: 198)
        rows.append([.number(-3), .integer(12), .string("eu")])
        #expect(Self.check.check(rows).invalidMessage == nil, "1 in 199 is under 1%")
        rows.append([.number(-4), .integer(12), .string("eu")])
        rows.append([.number(-5), .integer(12), .string("eu")])
        let report = Self.check.check(rows)
        #expect(report.violations.map(\.rule) == ["minimum"])
        #expect(report.invalidMessage == "logged inputs break the data contract: amount: minimum 0 broken by 1.5% of 201 logged rows (3)")
    }

    @Test("text that needs quoting, and a single feature's nulls, reach the rules intact")
    func quoting() {
        let check = LiveContractCheck(rules: TableRules(name: "t", columns: [ColumnRules(name: "note", type: .string, required: true, maxLength: 5)]),
                                      features: ["note"])
        let report = check.check([[.string("a,\"b\"\nc")], [.null], [.string("ok")]])
        #expect(Self.finding(report, "note", "maxLength")?.violations == 1)
        #expect(Self.finding(report, "note", "required")?.violations == 1)
        #expect(check.check([]).findings.isEmpty)
    }

    @Test("a warning rule is counted but never makes the inputs invalid")
    func warning() {
        let rules = TableRules(name: "t", columns: [ColumnRules(name: "x", type: .number,
                                                                quality: [QualityCheck(.nullValues, .equal(0), blocking: false)])])
        let report = LiveContractCheck(rules: rules, features: ["x"]).check([[.null], [.number(1)]])
        #expect(report.violations.count == 1 && report.invalid.isEmpty)
    }

    @Test("a classified feature is not checked: the log holds only keyed hashes of its values")
    func classified() {
        let rules = TableRules(name: "transactions", columns: [
            ColumnRules(name: "amount", type: .number, minimum: Bound("0")),
            ColumnRules(name: "postcode", type: .integer, required: true),
        ])
        let report = LiveContractCheck(rules: rules, features: ["amount", "postcode"], hashed: ["postcode"])
            .check([[.number(-1), .string("hmac:00ff")], [.number(2), .null]])
        #expect(Self.finding(report, "amount", "minimum")?.violations == 1)
        #expect(!report.findings.contains { $0.column == "postcode" }, "\(report.findings)")
    }
}
