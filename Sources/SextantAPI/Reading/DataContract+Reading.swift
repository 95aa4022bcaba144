import SextantYAML

// `DataContract` read by hand from its node (see `Model+Reading.swift`). ODCS is an open
// standard: keys Sextant does not read are ignored, not reported.

extension DataContract {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            apiVersion: try fields.required("apiVersion") { try $0.string() },
            kind: try fields.required("kind") { try $0.string() },
            id: try fields.required("id") { try $0.string() },
            version: try fields.required("version") { try $0.string() },
            status: try fields.required("status") { try $0.string() },
            name: fields.optional("name") { try $0.string() },
            schema: fields.optional("schema") { try $0.list { try ContractTable(reading: $0) } })
    }
}

extension ContractTable {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            name: try fields.required("name") { try $0.string() },
            physicalName: fields.optional("physicalName") { try $0.string() },
            properties: fields.optional("properties") { try $0.list { try ContractProperty(reading: $0) } },
            quality: fields.optional("quality") { try $0.list { try QualityRule(reading: $0) } })
    }
}

extension ContractProperty {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            name: try fields.required("name") { try $0.string() },
            logicalType: fields.optional("logicalType") { try $0.value() },
            required: fields.optional("required") { try $0.bool() },
            unique: fields.optional("unique") { try $0.bool() },
            primaryKey: fields.optional("primaryKey") { try $0.bool() },
            logicalTypeOptions: fields.optional("logicalTypeOptions") { try LogicalTypeOptions(reading: $0) },
            quality: fields.optional("quality") { try $0.list { try QualityRule(reading: $0) } },
            classification: fields.optional("classification") { try $0.string() })
    }
}

extension LogicalTypeOptions {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            minimum: fields.optional("minimum") { $0.json() },
            maximum: fields.optional("maximum") { $0.json() },
            exclusiveMinimum: fields.optional("exclusiveMinimum") { $0.json() },
            exclusiveMaximum: fields.optional("exclusiveMaximum") { $0.json() },
            minLength: fields.optional("minLength") { try $0.integer() },
            maxLength: fields.optional("maxLength") { try $0.integer() },
            pattern: fields.optional("pattern") { try $0.string() })
    }
}

extension QualityRule {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            type: fields.optional("type") { try $0.string() },
            metric: fields.optional("metric") { try $0.string() },
            rule: fields.optional("rule") { try $0.string() },
            arguments: fields.optional("arguments") { try QualityArguments(reading: $0) },
            mustBe: fields.optional("mustBe") { $0.json() },
            mustNotBe: fields.optional("mustNotBe") { $0.json() },
            mustBeGreaterThan: fields.optional("mustBeGreaterThan") { $0.json() },
            mustBeGreaterOrEqualTo: fields.optional("mustBeGreaterOrEqualTo") { $0.json() },
            mustBeLessThan: fields.optional("mustBeLessThan") { $0.json() },
            mustBeLessOrEqualTo: fields.optional("mustBeLessOrEqualTo") { $0.json() },
            mustBeBetween: fields.optional("mustBeBetween") { try $0.jsonList() },
            mustNotBeBetween: fields.optional("mustNotBeBetween") { try $0.jsonList() },
            unit: fields.optional("unit") { try $0.string() },
            severity: fields.optional("severity") { try $0.string() })
    }
}

extension QualityArguments {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            validValues: fields.optional("validValues") { try $0.jsonList() },
            missingValues: fields.optional("missingValues") { try $0.jsonList() },
            pattern: fields.optional("pattern") { try $0.string() },
            properties: fields.optional("properties") { try $0.strings() })
    }
}
