/// A size in bytes as manifests write it: `1073741824`, `512Mi`, `1Gi`, `10G` (binary
/// suffixes Ki, Mi, Gi, Ti; decimal k, M, G, T).
package struct ManifestBytes: Decodable, Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    package var text: String
    package var bytes: Int64

    package init?(_ text: String) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 15, let number = Int64(digits),
              let scale = Self.suffixes[String(text.dropFirst(digits.count))] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.text = text
        self.bytes = product
    }

    package var description: String { text }

    private static let suffixes: [String: Int64] = [
        "": 1, "k": 1_000, "M": 1_000_000, "G": 1_000_000_000, "T": 1_000_000_000_000,
        "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
    ]

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let number = try? container.decode(Int64.self) { text = String(number) } else { text = try container.decode(String.self) }
        guard let value = ManifestBytes(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath,
                      debugDescription: Self.problem(text)))
        }
        self = value
    }

    /// The message for text that is not a size.
    static func problem(_ text: String) -> String {
        "\"\(text)\" is not a size; write a number of bytes with an optional suffix (Ki, Mi, Gi, Ti, k, M, G, T), like 1Gi or 512Mi"
    }
}
