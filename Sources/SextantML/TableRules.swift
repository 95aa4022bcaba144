/// What a table's data must satisfy: the rules of one ODCS `schema[]` entry, in a form
/// that needs no YAML (SextantML has no dependencies; the reconciler translates).
package struct TableRules: Sendable, Hashable {
    package var name: String
    package var columns: [ColumnRules]
    /// Table-level quality rules (`rowCount`, `duplicateValues` over several columns).
    package var quality: [QualityCheck]

    package init(name: String, columns: [ColumnRules], quality: [QualityCheck] = []) {
        self.name = name
        self.columns = columns
        self.quality = quality
    }
}

package struct ColumnRules: Sendable, Hashable {
    package var name: String
    /// nil: any text (no type check).
    package var type: ColumnType?
    package var required: Bool
    package var unique: Bool
    package var minimum: Bound?
    package var maximum: Bound?
    package var minLength: Int?
    package var maxLength: Int?
    package var pattern: String?
    package var quality: [QualityCheck]
    /// The column's classification when it is classified (DESIGN §9): messages then say
    /// where an offending value is, never what it is.
    package var classification: String?

    package init(name: String, type: ColumnType?, required: Bool = false, unique: Bool = false,
                minimum: Bound? = nil, maximum: Bound? = nil, minLength: Int? = nil, maxLength: Int? = nil,
                pattern: String? = nil, quality: [QualityCheck] = [], classification: String? = nil) {
        self.classification = classification
        self.name = name
        self.type = type
        self.required = required
        self.unique = unique
        self.minimum = minimum
        self.maximum = maximum
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.quality = quality
    }
}

/// A limit on values, written as in the contract (`0`, `2024-01-01`) and read by the
/// column's type.
package struct Bound: Sendable, Hashable {
    package var value: String
    package var exclusive: Bool

    package init(_ value: String, exclusive: Bool = false) {
        self.value = value
        self.exclusive = exclusive
    }
}

/// An ODCS library quality rule: a metric, a condition on it, and its unit.
package struct QualityCheck: Sendable, Hashable {
    package enum Metric: Sendable, Hashable {
        case nullValues
        /// Values that count as missing besides null (nil stands for null; ODCS's
        /// `arguments.missingValues`, default none).
        case missingValues([String?])
        /// Values outside `validValues`, or not matching `pattern`.
        case invalidValues(validValues: [String]?, pattern: String?)
        /// On a column: that column; on a table: the combination of `columns`.
        case duplicateValues(columns: [String])
        case rowCount

        package var name: String {
            switch self {
            case .nullValues: "nullValues"
            case .missingValues: "missingValues"
            case .invalidValues: "invalidValues"
            case .duplicateValues: "duplicateValues"
            case .rowCount: "rowCount"
            }
        }
    }

    package enum Unit: String, Sendable, Hashable {
        case rows, percent
    }

    package var metric: Metric
    package var condition: Condition
    package var unit: Unit
    /// False when the rule's severity makes a failure a warning (ODCS `severity: warning`).
    package var blocking: Bool

    package init(_ metric: Metric, _ condition: Condition, unit: Unit = .rows, blocking: Bool = true) {
        self.metric = metric
        self.condition = condition
        self.unit = unit
        self.blocking = blocking
    }
}

/// `mustBe`, `mustBeGreaterThan`, `mustBeBetween` (inclusive), …
package enum Condition: Sendable, Hashable, CustomStringConvertible {
    case equal(Double)
    case notEqual(Double)
    case greaterThan(Double)
    case greaterOrEqual(Double)
    case lessThan(Double)
    case lessOrEqual(Double)
    case between(Double, Double)
    case notBetween(Double, Double)

    package func isSatisfied(by value: Double) -> Bool {
        switch self {
        case .equal(let limit): value == limit
        case .notEqual(let limit): value != limit
        case .greaterThan(let limit): value > limit
        case .greaterOrEqual(let limit): value >= limit
        case .lessThan(let limit): value < limit
        case .lessOrEqual(let limit): value <= limit
        case .between(let low, let high): value >= low && value <= high
        case .notBetween(let low, let high): value < low || value > high
        }
    }

    package var description: String {
        switch self {
        case .equal(let limit): "must be \(formatNumber(limit))"
        case .notEqual(let limit): "must not be \(formatNumber(limit))"
        case .greaterThan(let limit): "must be greater than \(formatNumber(limit))"
        case .greaterOrEqual(let limit): "must be at least \(formatNumber(limit))"
        case .lessThan(let limit): "must be less than \(formatNumber(limit))"
        case .lessOrEqual(let limit): "must be at most \(formatNumber(limit))"
        case .between(let low, let high): "must be between \(formatNumber(low)) and \(formatNumber(high))"
        case .notBetween(let low, let high): "must not be between \(formatNumber(low)) and \(formatNumber(high))"
        }
    }
}
