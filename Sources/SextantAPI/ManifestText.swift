package import SextantYAML

/// The text a manifest was read from: its file's bytes (shared by every document of the
/// file) and which document of the file it is.
///
/// Kept instead of the node tree: a tree costs kilobytes per manifest and a daemon holds
/// ten thousand of them, the bytes a few hundred. The tree is parsed again only when it is
/// needed: a message positioned at a field, a review listing changed fields.
package struct ManifestText: Sendable, Hashable {
    /// The whole file.
    package let bytes: [UInt8]
    /// The file as named in messages.
    package let file: String
    /// The 0-based position of the document in its file.
    package let index: Int
    /// The limits the file was first parsed under, so that parsing it again succeeds alike.
    package let limits: YAMLLimits

    package init(bytes: [UInt8], file: String, index: Int, limits: YAMLLimits) {
        self.bytes = bytes
        self.file = file
        self.index = index
        self.limits = limits
    }

    /// The document, parsed again from the bytes.
    ///
    /// The bytes parsed once already, so this cannot fail; should it, the document is an
    /// empty one at the file's start, and messages point at line 1.
    package func document() -> YAMLDocument {
        let documents = (try? YAMLParser(limits: limits).parse(bytes, file: file)) ?? []
        guard documents.indices.contains(index) else {
            return YAMLDocument(file: file, index: index, root: YAMLNode(.scalar(Scalar("")), mark: .start))
        }
        return documents[index]
    }
}
