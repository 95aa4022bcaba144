/// One document of a YAML file.
package struct YAMLDocument: Sendable {
    /// The file as it should be named in messages.
    package var file: String
    /// The 0-based position of the document in its file.
    package var index: Int
    package var root: YAMLNode
    /// True when the document has no content (`---` followed by nothing, or only comments).
    package var isEmpty: Bool { root.isNull && root.scalar?.style == .plain && root.text == "" }

    package init(file: String, index: Int, root: YAMLNode) {
        self.file = file
        self.index = index
        self.root = root
    }
}
