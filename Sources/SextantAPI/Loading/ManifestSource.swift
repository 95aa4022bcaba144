/// A file listed by a manifest source.
public struct SourceFile: Sendable, Hashable {
    /// The path under the watched root, with `/` separators.
    package var path: String
    package var isSymlink: Bool

    public init(path: String, isSymlink: Bool = false) {
        self.path = path
        self.isSymlink = isSymlink
    }
}

/// What a path under the watched root is, after following symlinks that stay inside it.
public enum PathStatus: Sendable, Hashable {
    case file
    case directory
    case missing
    /// A symlink on the way leads outside the watched root.
    case escapesRoot
}

/// A source that could not be read at all: a missing directory, an unreadable file.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The files of a watched root: a directory, or the tree of a Git commit.
///
/// The loader reads only through this protocol, so validation runs the same on a checkout
/// and on a commit read without a work tree.
public protocol ManifestSource {
    /// How a path under the root is named in messages.
    func displayPath(_ path: String) -> String
    /// Every file under the root, recursively, in any order. Dot-directories may be pruned.
    func listFiles() throws(SourceError) -> [SourceFile]
    /// A file's bytes; symlinks inside the root are followed.
    func read(_ path: String) throws(SourceError) -> [UInt8]
    /// What a path is, following symlinks that stay inside the root.
    func status(of path: String) -> PathStatus
    /// The first `count` bytes of a file (fewer if it is shorter): how data files are
    /// recognised without reading gigabytes.
    func readPrefix(_ path: String, count: Int) throws(SourceError) -> [UInt8]
    /// A name for the file's content that changes when the content does (a Git blob id),
    /// or nil when the source has none: what lets a loader reuse earlier work.
    func contentID(_ path: String) -> String?
    /// The file's size in bytes, measured without reading it (`stat`, a Git object's
    /// header), so a file over a limit is refused before any byte is loaded; nil when the
    /// source cannot tell.
    func byteCount(_ path: String) -> Int?
}

extension ManifestSource {
    public func contentID(_ path: String) -> String? { nil }

    package func byteCount(_ path: String) -> Int? { nil }

    public func readPrefix(_ path: String, count: Int) throws(SourceError) -> [UInt8] {
        Array(try read(path).prefix(count))
    }
}

/// A source whose files may be read from several threads at once (a directory; not a
/// libgit2 repository, whose objects belong to one thread).
package protocol ConcurrentManifestSource: ManifestSource, Sendable {}
