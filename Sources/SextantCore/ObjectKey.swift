public import SextantAPI

/// An object of the desired or observed state: a kind and a name.
public struct ObjectKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var kind: ManifestKind
    public var name: String

    public init(_ kind: ManifestKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Status order: by kind (Model, Dataset, DataContract, SLO, RolloutPolicy), then name.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }

    public var description: String { "\(kind)/\(name)" }

    enum CodingKeys: String, CodingKey {
        case kind, name
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        guard let parsed = ManifestKind(rawValue: kind) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown kind \(kind)")
        }
        self.kind = parsed
        self.name = try container.decode(String.self, forKey: .name)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(name, forKey: .name)
    }
}
