/// Builders for the JSON Schema (draft 2020-12) documents `sextant schema` prints.
enum JSONSchema {
    static func object(
        _ properties: [(String, JSONValue)], required: [String] = [], closed: Bool = true, description: String? = nil
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string("object"),
            "properties": .object(Dictionary(properties, uniquingKeysWith: { first, _ in first })),
        ]
        if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
        if closed { object["additionalProperties"] = .bool(false) }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static func string(_ description: String? = nil, pattern: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("string")]
        if let pattern { object["pattern"] = .string(pattern) }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static func enumeration<E: ManifestEnum>(_ type: E.Type, _ description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("string"), "enum": .array(E.allCases.map { .string($0.rawValue) })]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static func number(minimum: Double? = nil, maximum: Double? = nil, exclusive: Bool = false, _ description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("number")]
        if let minimum { object[exclusive ? "exclusiveMinimum" : "minimum"] = .number(minimum) }
        if let maximum { object[exclusive ? "exclusiveMaximum" : "maximum"] = .number(maximum) }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static func integer(minimum: Int? = nil, maximum: Int? = nil, _ description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("integer")]
        if let minimum { object["minimum"] = .number(Double(minimum)) }
        if let maximum { object["maximum"] = .number(Double(maximum)) }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static let boolean: JSONValue = .object(["type": .string("boolean")])
    static let any: JSONValue = .object([:])

    static func array(_ items: JSONValue, minItems: Int? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("array"), "items": items]
        if let minItems { object["minItems"] = .number(Double(minItems)) }
        return .object(object)
    }

    static func map(_ values: JSONValue) -> JSONValue {
        .object(["type": .string("object"), "additionalProperties": values])
    }

    static let bytes: JSONValue = .object(["description": .string("A size: bytes, or a number and a suffix (Ki, Mi, Gi, Ti, k, M, G, T), like 1Gi."),
                                           "type": .array([.string("string"), .string("integer")]), "pattern": .string("^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$")])
    static let duration = string("A duration: a number and a unit (ms, s, m, h, d, w), like 30s, 5m or 1h30m.", pattern: "^([0-9]+(ms|s|m|h|d|w))+$")
    static let name = string("A DNS-1123 label.", pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    static let relativePath = string("A path relative to the watched root; no '..', not absolute.", pattern: "^(?!/)(?!.*(^|/)\\.\\.(/|$)).+$")
    static let command = array(string(), minItems: 1)

    static func document(kind: ManifestKind, title: String, apiVersion: JSONValue, _ properties: [(String, JSONValue)], required: [String], closed: Bool) -> JSONValue {
        guard case .object(var object) = JSONSchema.object(
            [("apiVersion", apiVersion), ("kind", .object(["const": .string(kind.rawValue)]))] + properties,
            required: ["apiVersion", "kind"] + required, closed: closed)
        else { return .null }
        object["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
        object["$id"] = .string("https://sextant.dev/schemas/v1alpha1/\(kind.rawValue.lowercased()).json")
        object["title"] = .string(title)
        return .object(object)
    }

    static let metadata = object(
        [("name", name), ("labels", map(string())), ("annotations", map(string()))], required: ["name"])
}
