/// An Open Data Contract Standard (ODCS) v3 contract. Fields Sextant does not use are
/// accepted and ignored, so any ODCS tool's file reads as it is.
package struct DataContract: Codable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var id: String
    package var version: String
    package var status: String
    package var name: String?
    package var schema: [ContractTable]?

    /// The name status and references use: `name`, or `id` when there is none.
    package var displayName: String { name ?? id }
}

/// A `schema[]` entry: one table.
package struct ContractTable: Codable, Sendable, Hashable {
    package var name: String
    package var physicalName: String?
    package var properties: [ContractProperty]?
    package var quality: [QualityRule]?
}

/// A column.
package struct ContractProperty: Codable, Sendable, Hashable {
    package var name: String
    package var logicalType: LogicalType?
    package var required: Bool?
    package var unique: Bool?
    package var primaryKey: Bool?
    package var logicalTypeOptions: LogicalTypeOptions?
    package var quality: [QualityRule]?
    /// ODCS's free-form sensitivity label (`public`, `internal`, `restricted`,
    /// `confidential`, …); `ClassifiedLevels` says which labels Sextant treats as private.
    package var classification: String?
}

/// The logical types Sextant checks data against.
package enum LogicalType: String, ManifestEnum {
    case string, integer, number, boolean, date, timestamp

    package var isNumeric: Bool { self == .integer || self == .number }
}

package struct LogicalTypeOptions: Codable, Sendable, Hashable {
    package var minimum: JSONValue?
    package var maximum: JSONValue?
    /// A number (ODCS v3.1) or a flag making `minimum` exclusive (v3.0).
    package var exclusiveMinimum: JSONValue?
    package var exclusiveMaximum: JSONValue?
    package var minLength: Int?
    package var maxLength: Int?
    package var pattern: String?
}

/// A `quality[]` entry. Library rules (`metric`, or `rule` in ODCS v3.0) are checked;
/// `text` rules are prose, and `sql`/`custom` rules belong to other engines: both are skipped.
package struct QualityRule: Codable, Sendable, Hashable {
    package var type: String?
    package var metric: String?
    package var rule: String?
    package var arguments: QualityArguments?
    package var mustBe: JSONValue?
    package var mustNotBe: JSONValue?
    package var mustBeGreaterThan: JSONValue?
    package var mustBeGreaterOrEqualTo: JSONValue?
    package var mustBeLessThan: JSONValue?
    package var mustBeLessOrEqualTo: JSONValue?
    package var mustBeBetween: [JSONValue]?
    package var mustNotBeBetween: [JSONValue]?
    package var unit: String?
    /// `error` (default) blocks; `info`, `warning`, `low`, … only warn.
    package var severity: String?

    /// The library metric this rule checks, if it is a library rule.
    package var libraryMetric: String? {
        guard type == nil || type == "library" else { return nil }
        return metric ?? rule
    }
}

package struct QualityArguments: Codable, Sendable, Hashable {
    package var validValues: [JSONValue]?
    /// For `missingValues`: the values that count as missing (default: null and "").
    package var missingValues: [JSONValue]?
    package var pattern: String?
    package var properties: [String]?
}

/// The library metrics Sextant checks.
package enum QualityMetric: String, ManifestEnum {
    case nullValues, missingValues, invalidValues, duplicateValues, rowCount
}
