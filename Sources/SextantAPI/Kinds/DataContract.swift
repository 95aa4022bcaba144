/// An Open Data Contract Standard (ODCS) v3 contract. Fields Sextant does not use are
/// accepted and ignored, so any ODCS tool's file reads as it is.
public struct DataContract: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var id: String
    public var version: String
    public var status: String
    public var name: String?
    public var schema: [ContractTable]?

    /// The name status and references use: `name`, or `id` when there is none.
    public var displayName: String { name ?? id }
}

/// A `schema[]` entry: one table.
public struct ContractTable: Codable, Sendable, Hashable {
    public var name: String
    public var physicalName: String?
    public var properties: [ContractProperty]?
    public var quality: [QualityRule]?
}

/// A column.
public struct ContractProperty: Codable, Sendable, Hashable {
    public var name: String
    public var logicalType: LogicalType?
    public var required: Bool?
    public var unique: Bool?
    public var primaryKey: Bool?
    public var logicalTypeOptions: LogicalTypeOptions?
    public var quality: [QualityRule]?
}

/// The logical types Sextant checks data against.
public enum LogicalType: String, ManifestEnum {
    case string, integer, number, boolean, date, timestamp

    public var isNumeric: Bool { self == .integer || self == .number }
}

public struct LogicalTypeOptions: Codable, Sendable, Hashable {
    public var minimum: JSONValue?
    public var maximum: JSONValue?
    /// A number (ODCS v3.1) or a flag making `minimum` exclusive (v3.0).
    public var exclusiveMinimum: JSONValue?
    public var exclusiveMaximum: JSONValue?
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
}

/// A `quality[]` entry. Library rules (`metric`, or `rule` in ODCS v3.0) are checked;
/// `text` rules are prose, and `sql`/`custom` rules belong to other engines: both are skipped.
public struct QualityRule: Codable, Sendable, Hashable {
    public var type: String?
    public var metric: String?
    public var rule: String?
    public var arguments: QualityArguments?
    public var mustBe: JSONValue?
    public var mustNotBe: JSONValue?
    public var mustBeGreaterThan: JSONValue?
    public var mustBeGreaterOrEqualTo: JSONValue?
    public var mustBeLessThan: JSONValue?
    public var mustBeLessOrEqualTo: JSONValue?
    public var mustBeBetween: [JSONValue]?
    public var mustNotBeBetween: [JSONValue]?
    public var unit: String?
    /// `error` (default) blocks; `info`, `warning`, `low`, … only warn.
    public var severity: String?

    /// The library metric this rule checks, if it is a library rule.
    public var libraryMetric: String? {
        guard type == nil || type == "library" else { return nil }
        return metric ?? rule
    }
}

public struct QualityArguments: Codable, Sendable, Hashable {
    public var validValues: [JSONValue]?
    /// For `missingValues`: the values that count as missing (default: null and "").
    public var missingValues: [JSONValue]?
    public var pattern: String?
    public var properties: [String]?
}

/// The library metrics Sextant checks.
public enum QualityMetric: String, ManifestEnum {
    case nullValues, missingValues, invalidValues, duplicateValues, rowCount
}
