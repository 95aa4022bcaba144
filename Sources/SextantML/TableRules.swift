/// What a table's data must satisfy: the rules of one ODCS `schema[]` entry, in a form
/// that needs no YAML (SextantML has no dependencies; the reconciler translates).
public struct TableRules: Sendable, Hashable {
    public var name: String
    public var columns: [ColumnRules]
    /// Table-level quality rules (`rowCount`, `duplicateValues` over several columns).
    public var quality: [QualityCheck]

    public init(name: String, columns: [ColumnRules], quality: [QualityCheck] = []) {
        self.name = name
        self.columns = columns
        self.quality = quality
    }
}

public struct ColumnRules: Sendable, Hashable {
    public var name: String
    /// nil: any text (no type check).
    public var type: ColumnType?
    public var required: Bool
    public var unique: Bool
    public var minimum: Bound?
    public var maximum: Bound?
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var quality: [QualityCheck]

    public init(name: String, type: ColumnType?, required: Bool = false, unique: Bool = false,
                minimum: Bound? = nil, maximum: Bound? = nil, minLength: Int? = nil, maxLength: Int? = nil,
                pattern: String? = nil, quality: [QualityCheck] = []) {
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
public struct Bound: Sendable, Hashable {
    public var value: String
    public var exclusive: Bool

    public init(_ value: String, exclusive: Bool = false) {
        self.value = value
        self.exclusive = exclusive
    }
}

/// An ODCS library quality rule: a metric, a condition on it, and its unit.
public struct QualityCheck: Sendable, Hashable {
    public enum Metric: Sendable, Hashable {
        case nullValues
        /// Values that count as missing besides null (nil stands for null; ODCS's
        /// `arguments.missingValues`, default none).
        case missingValues([String?])
        /// Values outside `validValues`, or not matching `pattern`.
        case invalidValues(validValues: [String]?, pattern: String?)
        /// On a column: that column; on a table: the combination of `columns`.
        case duplicateValues(columns: [String])
        case rowCount

        public var name: String {
            switch self {
            case .nullValues: "nullValues"
            case .missingValues: "missingValues"
            case .invalidValues: "invalidValues"
            case .duplicateValues: "duplicateValues"
            case .rowCount: "rowCount"
            }
        }
    }

    public enum Unit: String, Sendable, Hashable {
        case rows, percent
    }

    public var metric: Metric
    public var condition: Condition
    public var unit: Unit
    /// False when the rule's severity makes a failure a warning (ODCS `severity: warning`).
    public var blocking: Bool

    public init(_ metric: Metric, _ condition: Condition, unit: Unit = .rows, blocking: Bool = true) {
        self.metric = metric
        self.condition = condition
        self.unit = unit
        self.blocking = blocking
    }
}

/// `mustBe`, `mustBeGreaterThan`, `mustBeBetween` (inclusive), …
public enum Condition: Sendable, Hashable, CustomStringConvertible {
    case equal(Double)
    case notEqual(Double)
    case greaterThan(Double)
    case greaterOrEqual(Double)
    case lessThan(Double)
    case lessOrEqual(Double)
    case between(Double, Double)
    case notBetween(Double, Double)

    public func isSatisfied(by value: Double) -> Bool {
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

    public var description: String {
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
