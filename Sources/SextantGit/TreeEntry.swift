internal import CGit2

/// A file in a commit's tree.
package struct TreeEntry: Sendable, Hashable {
    /// What a tree entry is, from its Git file mode.
    package enum Kind: Sendable, Hashable {
        case file
        case executable
        case symlink
        /// A submodule: a commit of another repository, with no content here.
        case submodule
    }

    /// The path, relative to the prefix the listing was asked for, with `/` separators.
    package var path: String
    package var kind: Kind
    /// The blob's object id (40 hex).
    package var objectID: String

    package init(path: String, kind: Kind, objectID: String) {
        self.path = path
        self.kind = kind
        self.objectID = objectID
    }
}

extension TreeEntry.Kind {
    /// The kind of a non-tree entry from its Git file mode.
    init(mode: UInt32) {
        switch mode {
        case GIT_FILEMODE_LINK.rawValue: self = .symlink
        case GIT_FILEMODE_COMMIT.rawValue: self = .submodule
        case GIT_FILEMODE_BLOB_EXECUTABLE.rawValue: self = .executable
        default: self = .file
        }
    }
}
