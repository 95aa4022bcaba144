package import SextantAPI

/// An object of the desired or observed state: a kind and a name.
package struct ObjectKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package var kind: ManifestKind
    package var name: String

    package init(_ kind: ManifestKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Status order: by kind (Model, Dataset, DataContract, SLO, RolloutPolicy), then name.
    package static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }

    package var description: String { "\(kind)/\(name)" }
}
