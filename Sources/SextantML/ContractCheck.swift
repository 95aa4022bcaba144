/// The verdict of one rule on one table or column.
package struct CheckOutcome: Sendable, Hashable, Codable {
    /// `logicalType`, `required`, `unique`, `minimum`, …, or a quality metric's name.
    package var rule: String
    /// nil for table-level rules.
    package var column: String?
    /// What was measured, in `unit`.
    package var measured: Double
    package var unit: String
    /// The condition, e.g. `must be 0`.
    package var limit: String
    package var passed: Bool
    /// Where to look: the first offending line and value.
    package var detail: String?
    /// False for rules whose `severity` makes a failure a warning.
    package var blocking: Bool = true
    /// A message that replaces the measured form, for problems that are not counts.
    package var statement: String?

    /// `transactions.region: invalidValues = 3 rows, must be 0 (first at line 14: "mars")`
    package func message(table: String) -> String {
        let subject = column.map { "\(table).\($0)" } ?? table
        if let statement { return "\(subject): \(statement)" }
        let amount = unit == "percent" ? "\(formatNumber((measured * 1000).rounded() / 1000))%" : "\(formatNumber(measured)) \(measured == 1 && unit == "rows" ? "row" : unit)"
        return "\(subject): \(rule) = \(amount), \(limit)" + (detail.map { " (\($0))" } ?? "")
    }
}

extension CheckOutcome {
    /// The rule as a condition each value must meet, for rules that count offending rows:
    /// `hour ≤ 22`, `amount ≥ 0`, `region required`. nil for table rules, quality metrics
    /// and problems that are not counts (their `message` says it).
    package var condition: String? {
        guard let column, statement == nil, unit == "rows" else { return nil }
        let parts = rule.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1] : ""
        switch parts[0] {
        case "logicalType": return "\(column) is a valid \(argument)"
        case "required": return "\(column) required"
        case "unique": return "\(column) unique"
        case "minimum": return "\(column) ≥ \(argument)"
        case "exclusiveMinimum": return "\(column) > \(argument)"
        case "maximum": return "\(column) ≤ \(argument)"
        case "exclusiveMaximum": return "\(column) < \(argument)"
        case "minLength": return "length of \(column) ≥ \(argument)"
        case "maxLength": return "length of \(column) ≤ \(argument)"
        case "pattern" where !argument.hasPrefix("("): return "\(column) matches \(argument)"
        default: return nil
        }
    }
}

/// Every rule of a table checked against a CSV table.
package struct ContractReport: Sendable, Hashable {
    package var table: String
    package var rows: Int
    package var outcomes: [CheckOutcome]

    /// Failed rules that block the data.
    package var violations: [CheckOutcome] { outcomes.filter { !$0.passed && $0.blocking } }
    /// Failed rules whose severity makes them warnings.
    package var warnings: [CheckOutcome] { outcomes.filter { !$0.passed && !$0.blocking } }
    package var passed: Bool { violations.isEmpty }
}

extension TableRules {
    /// Checks every rule; never stops at the first violation.
    package func check(_ table: CSVTable) -> ContractReport {
        var outcomes: [CheckOutcome] = []
        for column in columns {
            outcomes += column.check(table)
        }
        for rule in quality {
            switch rule.metric {
            case .rowCount:
                outcomes.append(rule.outcome(column: nil, count: table.rowCount, rows: table.rowCount, detail: nil))
            case .duplicateValues(let names):
                let indices = names.compactMap(table.columnIndex)
                guard indices.count == names.count, !names.isEmpty else {
                    let missing = names.filter { table.columnIndex($0) == nil }
                    outcomes.append(CheckOutcome(rule: "duplicateValues", column: nil, measured: 0, unit: "rows", limit: "columns \(missing.joined(separator: ", ")) must exist", passed: false, detail: "not in the file's header"))
                    continue
                }
                // Keys that occur more than once; keys with a null are left out.
                var occurrences: [[String]: Int] = [:]
                var duplicates = 0
                var first: Int?
                for row in 0..<table.rowCount {
                    let values = indices.compactMap { table.text(row: row, column: $0) }
                    guard values.count == indices.count else { continue }
                    occurrences[values, default: 0] += 1
                    if occurrences[values] == 2 {
                        duplicates += 1
                        if first == nil { first = row }
                    }
                }
                outcomes.append(rule.outcome(column: nil, count: duplicates, rows: table.rowCount, detail: first.map { "first at line \(table.line(ofRow: $0))" }))
            default:
                // Column metrics on a table have no column to measure.
                outcomes.append(CheckOutcome(rule: rule.metric.name, column: nil, measured: 0, unit: rule.unit.rawValue, limit: "needs a column", passed: false, detail: "put this rule under the property it checks"))
            }
        }
        return ContractReport(table: name, rows: table.rowCount, outcomes: outcomes)
    }
}

extension QualityCheck {
    func outcome(column: String?, count: Int, rows: Int, detail: String?) -> CheckOutcome {
        switch (metric, unit) {
        case (.rowCount, .percent), (.duplicateValues, .percent):
            // A rule that cannot run warns, as in datacontract-cli; it never blocks.
            return CheckOutcome(rule: metric.name, column: column, measured: Double(count), unit: "rows", limit: condition.description,
                                passed: false, detail: "not evaluated: unit percent applies to nullValues, missingValues and invalidValues only",
                                blocking: false)
        default:
            break
        }
        let measured: Double = switch (metric, unit) {
        case (.rowCount, _), (_, .rows): Double(count)
        case (_, .percent): rows == 0 ? 0 : Double(count) * 100 / Double(rows)
        }
        let passed = condition.isSatisfied(by: measured)
        return CheckOutcome(rule: metric.name, column: column, measured: measured, unit: unit.rawValue,
                            limit: condition.description, passed: passed, detail: passed ? nil : detail, blocking: blocking)
    }
}

/// Counts of one column's offences, gathered in a single pass over its fields.
private struct Tally {
    var count = 0
    var firstRow: Int?
    var firstValue: String?

    mutating func add(row: Int, value: @autoclosure () -> String?) {
        count += 1
        if firstRow == nil {
            firstRow = row
            firstValue = value()
        }
    }

    /// - Parameter redacted: for a classified column, what stands for the value.
    func detail(_ table: CSVTable, redacted: String? = nil) -> String? {
        guard let firstRow else { return nil }
        return "first at line \(table.line(ofRow: firstRow))" + (firstValue.map { ": \(redacted ?? Self.clip($0))" } ?? "")
    }

    static func clip(_ text: String) -> String {
        text.count > 40 ? "\"\(text.prefix(40))…\"" : "\"\(text)\""
    }
}

extension ColumnRules {
    func check(_ table: CSVTable) -> [CheckOutcome] {
        guard let index = table.columnIndex(name) else {
            return [CheckOutcome(rule: "column", column: name, measured: 0, unit: "rows", limit: "must be in the file", passed: false,
                                 statement: "no such column in the data; its header has \(table.header.joined(separator: ", "))")]
        }
        let type = self.type ?? .string
        let minimum = self.minimum.flatMap { type.parse($0.value) }
        let maximum = self.maximum.flatMap { type.parse($0.value) }
        let regex = pattern.map(PatternMatcher.init)
        // Per quality rule: what it needs per value.
        struct Quality {
            var rule: QualityCheck
            var tally = Tally()
            var valid: Set<Value>?
            var matcher: PatternMatcher?
            var missing: Set<String> = []
            var missingIncludesNull = false
        }
        var qualities = quality.map { rule -> Quality in
            var quality = Quality(rule: rule)
            switch rule.metric {
            case .invalidValues(let validValues, let pattern):
                quality.valid = validValues.map { Set($0.compactMap { type.parse($0) }) }
                quality.matcher = pattern.map(PatternMatcher.init)
            case .missingValues(let values):
                quality.missing = Set(values.compactMap { $0 })
                quality.missingIncludesNull = true  // null is always missing
            default: break
            }
            return quality
        }
        let needsDistinct = unique || quality.contains { if case .duplicateValues = $0.metric { true } else { false } }

        var nulls = Tally(), wrongType = Tally(), belowMinimum = Tally(), aboveMaximum = Tally()
        var tooShort = Tally(), tooLong = Tally(), mismatched = Tally(), duplicates = Tally()
        // Values seen once, and values already counted as duplicated.
        var seen: Set<Value> = []
        var repeated: Set<Value> = []
        table.forEachField(column: index) { row, bytes, isNull, escaped in
            if isNull {
                nulls.add(row: row, value: nil)
                for position in qualities.indices where qualities[position].missingIncludesNull {
                    qualities[position].tally.add(row: row, value: nil)
                }
                return
            }
            let text = escaped ? CSVTable.unescape(bytes) : nil
            var raw: String { text ?? String(decoding: bytes, as: UTF8.self) }
            let parsed: Value?
            if let text { parsed = type.parse(text) } else { parsed = type.parse(bytes) }
            for position in qualities.indices {
                switch qualities[position].rule.metric {
                case .missingValues:
                    if qualities[position].missing.contains(raw) { qualities[position].tally.add(row: row, value: raw) }
                case .invalidValues:
                    var invalid = false
                    if let valid = qualities[position].valid { invalid = parsed.map { !valid.contains($0) } ?? true }
                    if !invalid, let matcher = qualities[position].matcher { invalid = !matcher.matches(raw) }
                    if invalid { qualities[position].tally.add(row: row, value: raw) }
                default: break
                }
            }
            guard let value = parsed else {
                wrongType.add(row: row, value: raw)
                return
            }
            if let minimum, let limit = self.minimum, limit.exclusive ? !(value > minimum) : value < minimum {
                belowMinimum.add(row: row, value: raw)
            }
            if let maximum, let limit = self.maximum, limit.exclusive ? !(value < maximum) : value > maximum {
                aboveMaximum.add(row: row, value: raw)
            }
            if minLength != nil || maxLength != nil {
                let length = raw.unicodeScalars.count  // code points, as SQL length() counts
                if let minLength, length < minLength { tooShort.add(row: row, value: raw) }
                if let maxLength, length > maxLength { tooLong.add(row: row, value: raw) }
            }
            if let regex, !regex.matches(raw) { mismatched.add(row: row, value: raw) }
            // A duplicated value counts once, however often it repeats (as datacontract counts).
            if needsDistinct, !seen.insert(value).inserted, repeated.insert(value).inserted { duplicates.add(row: row, value: raw) }
        }

        var outcomes: [CheckOutcome] = []
        let redacted = classification.map { "a value of \(name) (\($0))" }
        func zero(_ rule: String, _ tally: Tally) {
            outcomes.append(CheckOutcome(rule: rule, column: name, measured: Double(tally.count), unit: "rows",
                                         limit: "must be 0", passed: tally.count == 0, detail: tally.count == 0 ? nil : tally.detail(table, redacted: redacted)))
        }
        if let declared = self.type { zero("logicalType \(declared.rawValue)", wrongType) }
        if required { zero("required", nulls) }
        if unique { zero("unique", duplicates) }
        if let limit = self.minimum {
            if minimum == nil { outcomes.append(unreadableLimit(limit.exclusive ? "exclusiveMinimum" : "minimum", limit.value, type)) } else { zero(limit.exclusive ? "exclusiveMinimum \(limit.value)" : "minimum \(limit.value)", belowMinimum) }
        }
        if let limit = self.maximum {
            if maximum == nil { outcomes.append(unreadableLimit(limit.exclusive ? "exclusiveMaximum" : "maximum", limit.value, type)) } else { zero(limit.exclusive ? "exclusiveMaximum \(limit.value)" : "maximum \(limit.value)", aboveMaximum) }
        }
        if let minLength { zero("minLength \(minLength)", tooShort) }
        if let maxLength { zero("maxLength \(maxLength)", tooLong) }
        if let pattern { zero(regex?.isValid == false ? "pattern (invalid: \(pattern))" : "pattern \(pattern)", regex?.isValid == false ? Tally(count: 1) : mismatched) }
        for quality in qualities {
            let tally: Tally = switch quality.rule.metric {
            case .nullValues: nulls
            case .duplicateValues: duplicates
            case .rowCount: Tally(count: table.rowCount)
            case .missingValues, .invalidValues: quality.tally
            }
            outcomes.append(quality.rule.outcome(column: name, count: tally.count, rows: table.rowCount, detail: tally.detail(table, redacted: redacted)))
        }
        return outcomes
    }

    private func unreadableLimit(_ rule: String, _ value: String, _ type: ColumnType) -> CheckOutcome {
        CheckOutcome(rule: rule, column: name, measured: 0, unit: "rows", limit: "must be a \(type.rawValue)", passed: false,
                     statement: "the contract's \(rule) \"\(value)\" is not a \(type.rawValue) value; fix the contract")
    }
}

/// A regular expression, searched (not anchored) in each value, as SQL's `regexp_matches`
/// does; answers are remembered, since columns repeat values.
private final class PatternMatcher {
    private let regex: Regex<AnyRegexOutput>?
    private var answers: [String: Bool] = [:]

    init(_ pattern: String) {
        regex = try? Regex(pattern)
    }

    var isValid: Bool { regex != nil }

    func matches(_ text: String) -> Bool {
        guard let regex else { return false }
        if let known = answers[text] { return known }
        let answer = (try? regex.firstMatch(in: text)) != nil
        if answers.count < 100_000 { answers[text] = answer }
        return answer
    }
}
