/// One document of a YAML file.
public struct YAMLDocument: Sendable {
    /// The file as it should be named in messages.
    public var file: String
    /// The 0-based position of the document in its file.
    public var index: Int
    public var root: YAMLNode
    /// True when the document has no content (`---` followed by nothing, or only comments).
    public var isEmpty: Bool { root.isNull && root.scalar?.style == .plain && root.text == "" }

    public init(file: String, index: Int, root: YAMLNode) {
        self.file = file
        self.index = index
        self.root = root
    }
}
