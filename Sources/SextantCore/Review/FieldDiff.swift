package import SextantAPI

/// One changed field of a manifest: where, and the values before and after (nil: absent).
package struct FieldChange: Sendable, Hashable, Codable {
    /// `spec.source.path`, `schema[transactions].properties[amount].logicalType`, …
    package var path: String
    package var before: JSONValue?
    package var after: JSONValue?

    package init(path: String, before: JSONValue?, after: JSONValue?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

/// A structural diff of two manifests' values. Lists of objects that all carry a `name`
/// (contract tables and columns, steps with names) are matched by name, so inserting a
/// column reads as one addition, not as every later column changing.
package enum FieldDiff {
    package static func changes(from before: JSONValue?, to after: JSONValue?, at path: String = "") -> [FieldChange] {
        switch (before, after) {
        case (nil, nil):
            return []
        case (.object(let old)?, .object(let new)?):
            var changes: [FieldChange] = []
            for key in Set(old.keys).union(new.keys).sorted() {
                changes += Self.changes(from: old[key], to: new[key], at: path.isEmpty ? key : path + "." + key)
            }
            return changes
        case (.array(let old)?, .array(let new)?):
            if let oldNamed = named(old), let newNamed = named(new) {
                var changes: [FieldChange] = []
                var order = old.compactMap(\.nameField)
                for name in new.compactMap(\.nameField) where oldNamed[name] == nil { order.append(name) }
                for name in order {
                    changes += Self.changes(from: oldNamed[name], to: newNamed[name], at: "\(path)[\(name)]")
                }
                return changes
            }
            if old.count == new.count {
                return old.indices.flatMap { Self.changes(from: old[$0], to: new[$0], at: "\(path)[\($0)]") }
            }
            return [FieldChange(path: path, before: before, after: after)]
        default:
            return before == after ? [] : [FieldChange(path: path, before: before, after: after)]
        }
    }

    /// Elements by their `name`, when every element is an object with a distinct name.
    private static func named(_ items: [JSONValue]) -> [String: JSONValue]? {
        guard !items.isEmpty else { return nil }
        var byName: [String: JSONValue] = [:]
        for item in items {
            guard let name = item.nameField, byName[name] == nil else { return nil }
            byName[name] = item
        }
        return byName
    }
}

extension JSONValue {
    fileprivate var nameField: String? {
        if case .object(let fields) = self, case .string(let name)? = fields["name"] { return name }
        return nil
    }

    /// The value as it reads in a manifest: `12`, `true`, `"text"` as text, lists inline.
    package var compactText: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .integer(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): value
        case .array(let items): "[" + items.map(\.compactText).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!.compactText)" }.joined(separator: ", ") + "}"
        }
    }
}
