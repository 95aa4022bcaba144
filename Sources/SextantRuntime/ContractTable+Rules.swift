import SextantAPI
import SextantML

extension ContractTable {
    /// The table's rules as SextantML checks them. Text, SQL and custom quality rules are
    /// left to other engines.
    var rules: TableRules {
        let columns = (properties ?? []).map { property in
            let options = property.logicalTypeOptions
            return ColumnRules(
                name: property.name,
                type: property.logicalType.flatMap { ColumnType(rawValue: $0.rawValue) },
                required: property.required == true || property.primaryKey == true,
                unique: property.unique == true || property.primaryKey == true,
                minimum: Self.bound(options?.minimum, exclusive: options?.exclusiveMinimum, lower: true),
                maximum: Self.bound(options?.maximum, exclusive: options?.exclusiveMaximum, lower: false),
                minLength: options?.minLength,
                maxLength: options?.maxLength,
                pattern: options?.pattern,
                quality: (property.quality ?? []).compactMap { $0.check(column: property.name) },
                classification: Self.redacting(property.classification))
        }
        return TableRules(name: name, columns: columns, quality: (quality ?? []).compactMap { $0.check(column: nil) })
    }

    /// A column's classification when its values stay out of messages: any but `public`
    /// (whatever `--classified` says, a check's message never needs the value itself).
    private static func redacting(_ classification: String?) -> String? {
        guard let classification, classification.lowercased() != "public" else { return nil }
        return classification
    }

    /// ODCS v3.1 writes an exclusive limit as a number (`exclusiveMinimum: 0`); v3.0 as a
    /// flag on `minimum` (`exclusiveMinimum: true`). When v3.1 gives both an inclusive and
    /// an exclusive number, the stricter of the two is the limit.
    private static func bound(_ limit: JSONValue?, exclusive: JSONValue?, lower: Bool) -> Bound? {
        if case .bool(let flag)? = exclusive {
            return limit?.limitText.map { Bound($0, exclusive: flag) }
        }
        if let open = exclusive?.number {
            if let closed = limit?.number, lower ? closed > open : closed < open {
                return Bound(formatNumber(closed))
            }
            return Bound(formatNumber(open), exclusive: true)
        }
        return limit?.limitText.map { Bound($0) }
    }
}

extension JSONValue {
    /// A limit or listed value as text, read later by the column's type.
    var limitText: String? {
        switch self {
        case .integer(let value): formatNumber(Double(value))
        case .number(let value): formatNumber(value)
        case .string(let value): value
        case .bool(let value): String(value)
        case .null, .array, .object: nil
        }
    }
}

extension QualityRule {
    func check(column: String?) -> QualityCheck? {
        guard let name = libraryMetric, let metric = QualityMetric(rawValue: name), let condition else { return nil }
        let kind: QualityCheck.Metric
        switch metric {
        case .nullValues: kind = .nullValues
        case .missingValues:
            kind = .missingValues(arguments?.missingValues.map { $0.map { $0 == .null ? nil : $0.limitText } } ?? [nil])
        case .invalidValues:
            kind = .invalidValues(validValues: arguments?.validValues?.compactMap(\.limitText), pattern: arguments?.pattern)
        case .duplicateValues:
            kind = .duplicateValues(columns: column.map { [$0] } ?? arguments?.properties ?? [])
        case .rowCount: kind = .rowCount
        }
        return QualityCheck(kind, condition, unit: unit == "percent" ? .percent : .rows, blocking: !isWarning)
    }

    /// Severities that make a failure a warning, as datacontract-cli reads them.
    var isWarning: Bool {
        guard let severity = severity?.lowercased() else { return false }
        return ["info", "warning", "warn", "low", "minor", "trivial"].contains(severity)
    }

    /// The first comparison the rule states.
    var condition: Condition? {
        if let value = mustBe?.number { return .equal(value) }
        if let value = mustNotBe?.number { return .notEqual(value) }
        if let value = mustBeGreaterThan?.number { return .greaterThan(value) }
        if let value = mustBeGreaterOrEqualTo?.number { return .greaterOrEqual(value) }
        if let value = mustBeLessThan?.number { return .lessThan(value) }
        if let value = mustBeLessOrEqualTo?.number { return .lessOrEqual(value) }
        if let range = mustBeBetween, range.count == 2, let low = range[0].number, let high = range[1].number { return .between(low, high) }
        if let range = mustNotBeBetween, range.count == 2, let low = range[0].number, let high = range[1].number { return .notBetween(low, high) }
        return nil
    }
}
