/// A string enumeration in a manifest: decoding names the allowed values when it fails.
package protocol ManifestEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension ManifestEnum {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not one of \(Self.allowedValues)"))
        }
        self = value
    }

    /// The allowed values, as `a | b | c`.
    package static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: " | ")
    }
}
