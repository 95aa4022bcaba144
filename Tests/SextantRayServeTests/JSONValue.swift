import Foundation

/// Any JSON value, to compare two servers' answers: numbers within a tolerance, the rest
/// exactly.
indirect enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number(let number): "\(number)"
        case .string(let text): "\"\(text)\""
        case .array(let items): "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let members): "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        }
    }

    /// The first place where this value differs from `other` (numbers by more than
    /// `tolerance`, relative beyond 1), as "path: this against other"; nil when they agree.
    func difference(from other: JSONValue, tolerance: Double = 1e-12, at path: String = "") -> String? {
        switch (self, other) {
        case (.number(let a), .number(let b)):
            return abs(a - b) <= tolerance * max(1, abs(a)) ? nil : "\(path): \(a) against \(b)"
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return "\(path): \(a.count) elements against \(b.count)" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let difference = x.difference(from: y, tolerance: tolerance, at: "\(path)[\(index)]") { return difference }
            }
            return nil
        case (.object(let a), .object(let b)):
            guard Set(a.keys) == Set(b.keys) else { return "\(path): keys \(a.keys.sorted()) against \(b.keys.sorted())" }
            for key in a.keys.sorted() {
                if let difference = a[key]!.difference(from: b[key]!, tolerance: tolerance, at: "\(path).\(key)") { return difference }
            }
            return nil
        default:
            return self == other ? nil : "\(path): \(self) against \(other)"
        }
    }
}
