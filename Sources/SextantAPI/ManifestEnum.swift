/// A string enumeration in a manifest: decoding names the allowed values when it fails.
public protocol ManifestEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension ManifestEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not one of \(Self.allowedValues)"))
        }
        self = value
    }

    /// The allowed values, as `a | b | c`.
    public static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: " | ")
    }
}
