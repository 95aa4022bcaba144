import SextantYAML

/// The manifest value types, read with the messages their `Decodable` conformances give.
extension NodeReader {
    /// One of an enumeration's values.
    func value<E: ManifestEnum>(_ type: E.Type = E.self) throws(YAMLDecodingIssue) -> E {
        let text = try string()
        guard let value = E(rawValue: text) else {
            throw issue("\"\(text)\" is not one of \(E.allowedValues)")
        }
        return value
    }

    func duration() throws(YAMLDecodingIssue) -> ManifestDuration {
        let text = try string()
        guard let value = ManifestDuration(text) else { throw issue(ManifestDuration.problem(text)) }
        return value
    }

    /// A size: a whole number of bytes, or text with a suffix.
    func bytes() throws(YAMLDecodingIssue) -> ManifestBytes {
        let text: String
        if let number = try? integer(Int64.self) { text = String(number) } else { text = try string() }
        guard let value = ManifestBytes(text) else { throw issue(ManifestBytes.problem(text)) }
        return value
    }

    func cronSchedule() throws(YAMLDecodingIssue) -> CronSchedule {
        let text = try string()
        do {
            return try CronSchedule(parsing: text)
        } catch {
            throw issue(error.message)
        }
    }

    /// A value of any shape.
    func json() -> JSONValue {
        JSONValue(node)
    }

    func strings() throws -> [String] {
        try list { try $0.string() }
    }

    func jsonList() throws -> [JSONValue] {
        try list { item in item.json() }
    }
}

/// The field names of a strict type, from its coding keys: what `YAMLDecoder` checks keys against.
func fieldNames<Key: CodingKey & CaseIterable>(_ keys: Key.Type) -> [String] {
    keys.allCases.map(\.stringValue)
}
