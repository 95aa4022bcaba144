/// `metadata` of Sextant's own kinds.
package struct ObjectMeta: Decodable, Sendable, Hashable {
    /// A DNS-1123 label: lowercase letters, digits and `-`, at most 63 characters.
    package var name: String
    package var labels: [String: String]?
    package var annotations: [String: String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, labels, annotations
    }
}

/// `metadata` of OpenSLO objects: only the name is read; other fields are the standard's.
package struct OpenSLOMetadata: Decodable, Sendable, Hashable {
    package var name: String
    package var displayName: String?
}
