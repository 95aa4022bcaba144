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
}
