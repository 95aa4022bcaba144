package import SextantYAML

/// A value of any shape, for the fields whose shape Sextant does not fix (an external
/// trainer's hyperparameters, ODCS arguments and limits).
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A YAML integer (`100`): kept apart from `number` so that a trainer reads `100` as an
    /// integer and `1.0` as a float (`typedJSON`).
    case integer(Int64)
    /// A YAML float (`1.0`, `0.5`, `.inf`), or any number read from JSON.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Converts a YAML node by the YAML 1.2 core schema.
    package init(_ node: YAMLNode) {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: self = .null
            case .bool(let value): self = .bool(value)
            case .int(let value): self = .integer(value)
            case .float(let value): self = .number(value)
            case .string(let value): self = .string(value)
            }
        case .sequence(let items):
            self = .array(items.map(JSONValue.init))
        case .mapping(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs { object[pair.name] = JSONValue(pair.value) }
            self = .object(object)
        }
    }

    /// The value of an integer or a float.
    package var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    package var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    package var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    package var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

extension JSONValue: Decodable {
    /// From a manifest (through the node, keeping YAML 1.2 resolution), or from JSON.
    package init(from decoder: any Decoder) throws {
        if let node = try? YAMLNode(from: decoder) {
            self.init(node)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

extension JSONValue: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        // As the number it is: the canonical form (and so every fingerprint) does not tell
        // `1` from `1.0`.
        case .integer(let value): try JSONValue.number(Double(value)).encode(to: encoder)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
