package import SextantCore

extension ModelCard {
    /// The doc layer's file names.
    package static let markdownFile = "model-card.md"
    package static let jsonFile = "model-card.json"

    /// The doc layer of the version's artifact (path → bytes).
    package var documents: [String: [UInt8]] {
        [Self.markdownFile: Array(markdown.utf8), Self.jsonFile: json]
    }
}
