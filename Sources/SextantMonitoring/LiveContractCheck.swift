package import SextantML

/// The dataset contract's column rules applied to logged inputs (DESIGN §7, `contract:
/// observe`): types, ranges, lengths, patterns, valid and missing values, nulls.
///
/// The rows go through the same rule engine as a dataset (`TableRules.check` on a CSV
/// table), so each rule means exactly what it means for training data. Rules about the
/// whole table (`unique`, `duplicateValues`, `rowCount`) say nothing about a stream of
/// requests and are left out, as are columns that are not features (the target). A quality
/// rule's condition is judged on the rows checked: `nullValues mustBeLessThan 5 percent`
/// counts no violation while nulls stay under 5% of them; a rule that allows none (every
/// type, range, length and pattern rule) counts every offending value.
package struct LiveContractCheck: Sendable {
    /// The share of rows breaking one rule above which inputs are invalid (`LiveDataInvalid`).
    package static let invalidRate = 0.01

    package let features: [String]
    private let rules: TableRules

    /// - Parameters:
    ///   - rules: the dataset contract's rules (`ContractTable.rules`).
    ///   - features: the model's features, in the order of the rows to check.
    ///   - hashed: classified features, not checked: the log holds only keyed hashes of their values.
    package init(rules: TableRules, features: [String], hashed: Set<String> = []) {
        self.features = features
        let columns = rules.columns.filter { features.contains($0.name) && !hashed.contains($0.name) }.map { column in
            var column = column
            column.unique = false
            column.quality = column.quality.filter { rule in
                switch rule.metric {
                case .nullValues, .missingValues, .invalidValues: true
                case .duplicateValues, .rowCount: false
                }
            }
            return column
        }
        self.rules = TableRules(name: rules.name, columns: columns)
    }

    /// Checks rows of feature values (in `features` order) against every rule.
    package func check(_ rows: [[RowValue]]) -> LiveContractReport {
        var text = CSVField.record(features)
        for row in rows { text += CSVField.record(row.map(\.text)) }
        // Rendered here, one field per feature in every record: it always parses.
        guard !rows.isEmpty, let table = try? CSVTable(Array(text.utf8)) else { return LiveContractReport(rows: rows.count, findings: []) }
        let report = rules.check(table)
        let findings = report.outcomes.compactMap { outcome -> LiveContractFinding? in
            // Problems of the contract itself (an unreadable limit, an invalid pattern) are
            // the contract check's to report, not violations by the inputs.
            guard let column = outcome.column, outcome.statement == nil, !outcome.rule.contains("(invalid") else { return nil }
            let offending = outcome.unit == "percent" ? Int((outcome.measured * Double(rows.count) / 100).rounded()) : Int(outcome.measured)
            return LiveContractFinding(column: column, rule: String(outcome.rule.prefix { $0 != " " }), limit: outcome.rule,
                                       violations: outcome.passed ? 0 : offending, rows: rows.count, blocking: outcome.blocking)
        }
        return LiveContractReport(rows: rows.count, findings: findings)
    }
}

/// One rule on one column over the rows checked.
package struct LiveContractFinding: Sendable, Hashable {
    package var column: String
    /// The rule's kind, a metric label: `logicalType`, `required`, `minimum`,
    /// `exclusiveMaximum`, `pattern`, `nullValues`, `invalidValues`, …
    package var rule: String
    /// The rule as the contract states it: `minimum 0`, `logicalType integer`, `invalidValues`.
    package var limit: String
    /// Rows that break the rule (0 when a quality rule's condition holds on these rows).
    package var violations: Int
    package var rows: Int
    /// False for a rule whose `severity` makes it a warning: counted, never `LiveDataInvalid`.
    package var blocking: Bool

    package var rate: Double { rows == 0 ? 0 : Double(violations) / Double(rows) }

    /// `amount: minimum 0 broken by 2.5% of 400 logged rows (10)`
    package var message: String {
        let percent = formatNumber((rate * 1000).rounded() / 10)
        return "\(column): \(limit) broken by \(percent)% of \(rows) logged row\(rows == 1 ? "" : "s") (\(violations))"
    }
}

/// Every rule's verdict on a batch of logged inputs.
package struct LiveContractReport: Sendable, Hashable {
    package var rows: Int
    package var findings: [LiveContractFinding]

    /// Findings with at least one violation: what `sextant_live_contract_violations_total
    /// {model,column,rule}` adds.
    package var violations: [LiveContractFinding] { findings.filter { $0.violations > 0 } }

    /// Blocking rules broken by more than `invalidRate` of the rows, highest rate first.
    package var invalid: [LiveContractFinding] {
        findings.filter { $0.blocking && $0.rate > LiveContractCheck.invalidRate }
            .sorted { ($1.rate, $0.column, $0.limit) < ($0.rate, $1.column, $1.limit) }
    }

    /// The `LiveDataInvalid` condition's message, naming column, rule and rate; nil when the
    /// inputs are valid.
    package var invalidMessage: String? {
        let broken = invalid
        guard !broken.isEmpty else { return nil }
        return "logged inputs break the data contract: " + broken.map(\.message).joined(separator: "; ")
    }
}
