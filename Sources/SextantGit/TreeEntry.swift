/// A file in a commit's tree.
public struct TreeEntry: Sendable, Hashable {
    /// What a tree entry is, from its Git file mode.
    public enum Kind: Sendable, Hashable {
        case file
        case executable
        case symlink
        /// A submodule: a commit of another repository, with no content here.
        case submodule
    }

    /// The path, relative to the prefix the listing was asked for, with `/` separators.
    public var path: String
    public var kind: Kind
    /// The blob's object id (40 hex).
    public var objectID: String

    public init(path: String, kind: Kind, objectID: String) {
        self.path = path
        self.kind = kind
        self.objectID = objectID
    }
}
