/// A duration as manifests write it: `500ms`, `30s`, `5m`, `1h30m`, `2d`, `1w`.
package struct ManifestDuration: Decodable, Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    package var text: String
    /// The length in milliseconds.
    package var milliseconds: Int64

    package init?(_ text: String) {
        guard let milliseconds = Self.parse(text) else { return nil }
        self.text = text
        self.milliseconds = milliseconds
    }

    package var seconds: Double { Double(milliseconds) / 1000 }
    package var duration: Duration { .milliseconds(milliseconds) }
    package var description: String { text }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ManifestDuration(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath,
                      debugDescription: Self.problem(text)))
        }
        self = value
    }

    /// The message for text that is not a duration.
    static func problem(_ text: String) -> String {
        "\"\(text)\" is not a duration; write a number and a unit (ms, s, m, h, d, w), like 30s, 5m or 1h30m"
    }

    /// Seconds as a manifest would write them: `30s`, `1m`, `1m30s`, `2h`, `500ms`.
    package static func describe(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded())
        guard milliseconds % 1000 == 0 else { return "\(milliseconds)ms" }
        var rest = milliseconds / 1000
        guard rest > 0 else { return "0s" }
        var text = ""
        for (suffix, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(suffix)"
            rest %= size
        }
        return text
    }

    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    private static func parse(_ text: String) -> Int64? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isASCII && $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }
}
