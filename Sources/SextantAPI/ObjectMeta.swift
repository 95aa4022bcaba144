/// `metadata` of Sextant's own kinds.
public struct ObjectMeta: Decodable, Sendable, Hashable {
    /// A DNS-1123 label: lowercase letters, digits and `-`, at most 63 characters.
    public var name: String
    public var labels: [String: String]?
    public var annotations: [String: String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, labels, annotations
    }
}

/// `metadata` of OpenSLO objects: only the name is read; other fields are the standard's.
public struct OpenSLOMetadata: Decodable, Sendable, Hashable {
    public var name: String
    public var displayName: String?
}
