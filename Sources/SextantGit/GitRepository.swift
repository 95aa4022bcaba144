internal import CGit2

/// A local Git repository, read through libgit2 without a work tree.
///
/// Not thread-safe: use one instance from one thread at a time.
public final class GitRepository {
    private let handle: OpaquePointer
    /// The path the repository was opened from.
    public let path: String

    private static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    /// Opens the repository at `path` (a work tree, its `.git` folder, or a bare repository).
    public init(path: String) throws(GitError) {
        _ = Self.initialized
        var repository: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        try check("open repository \(path)", git_repository_open_ext(&repository, path, flags, nil))
        guard let repository else {
            throw GitError(operation: "open repository \(path)", code: -1, message: "libgit2 returned no repository")
        }
        self.handle = repository
        self.path = path
    }

    deinit {
        git_repository_free(handle)
    }

    /// Resolves a branch, tag, SHA (full or abbreviated) or any revision expression
    /// (`HEAD~1`, `origin/main`) to the commit it names.
    public func resolve(_ revision: String) throws(GitError) -> String {
        let operation = "resolve \"\(revision)\" in \(path)"
        var object: OpaquePointer?
        try check(operation, git_revparse_single(&object, handle, revision))
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(operation, git_object_peel(&commit, object, GIT_OBJECT_COMMIT))
        defer { git_object_free(commit) }
        return Self.hex(git_object_id(commit))
    }

    /// The metadata of a commit.
    public func commitInfo(_ sha: String) throws(GitError) -> CommitInfo {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        let subject = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        let author = git_commit_author(commit)!.pointee
        return CommitInfo(
            sha: sha,
            subject: subject,
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            authorTime: Int64(author.when.time),
            authorTimeZoneOffset: Int(author.when.offset)
        )
    }

    /// Every file in the tree of a commit under `prefix` (recursively), with paths relative
    /// to the prefix, in Git's tree order. Submodules are listed; directories are not.
    ///
    /// - Throws: `GitError` with `isNotFound` when the prefix does not exist, or names a file.
    public func files(at sha: String, under prefix: String = "") throws(GitError) -> [TreeEntry] {
        let root = try tree(at: sha, under: prefix)
        defer { git_tree_free(root) }
        var entries: [TreeEntry] = []
        try collect(root, into: &entries, prefix: "")
        return entries
    }

    /// The content of the file at `path` (relative to the repository root) in a commit.
    /// A symlink reads as its target path.
    public func read(_ path: String, at sha: String) throws(GitError) -> [UInt8] {
        let operation = "read \(path) at \(sha.prefix(7))"
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(operation, git_commit_tree(&tree, commit))
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        try check(operation, git_tree_entry_bypath(&entry, tree, path))
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
            throw GitError(operation: operation, code: GIT_ENOTFOUND.rawValue, message: "\(path) is a directory, not a file")
        }
        return try blob(git_tree_entry_id(entry), operation: operation)
    }

    /// The content of a blob listed by `files(at:under:)`.
    public func read(_ entry: TreeEntry) throws(GitError) -> [UInt8] {
        let operation = "read \(entry.path)"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, entry.objectID))
        return try blob(&oid, operation: operation)
    }

    // MARK: - Internals

    private func lookupCommit(_ sha: String) throws(GitError) -> OpaquePointer {
        let operation = "look up commit \(sha)"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, sha))
        var commit: OpaquePointer?
        try check(operation, git_commit_lookup(&commit, handle, &oid))
        return commit!
    }

    private func tree(at sha: String, under prefix: String) throws(GitError) -> OpaquePointer {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        let operation = prefix.isEmpty ? "read tree of \(sha.prefix(7))" : "read \(prefix)/ at \(sha.prefix(7))"
        var root: OpaquePointer?
        try check(operation, git_commit_tree(&root, commit))
        let trimmed = prefix.split(separator: "/").joined(separator: "/")
        guard !trimmed.isEmpty else { return root! }
        defer { git_tree_free(root) }
        var entry: OpaquePointer?
        try check(operation, git_tree_entry_bypath(&entry, root, trimmed))
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else {
            throw GitError(operation: operation, code: GIT_ENOTFOUND.rawValue, message: "\(trimmed) is not a directory")
        }
        var subtree: OpaquePointer?
        try check(operation, git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)))
        return subtree!
    }

    private func collect(_ tree: OpaquePointer, into entries: inout [TreeEntry], prefix: String) throws(GitError) {
        let count = git_tree_entrycount(tree)
        for index in 0..<count {
            let entry = git_tree_entry_byindex(tree, index)
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : prefix + "/" + name
            let id = git_tree_entry_id(entry)
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try check("read tree \(path)", git_tree_lookup(&subtree, handle, id))
                defer { git_tree_free(subtree) }
                try collect(subtree!, into: &entries, prefix: path)
            case GIT_FILEMODE_LINK:
                entries.append(TreeEntry(path: path, kind: .symlink, objectID: Self.hex(id)))
            case GIT_FILEMODE_COMMIT:
                entries.append(TreeEntry(path: path, kind: .submodule, objectID: Self.hex(id)))
            case GIT_FILEMODE_BLOB_EXECUTABLE:
                entries.append(TreeEntry(path: path, kind: .executable, objectID: Self.hex(id)))
            default:
                entries.append(TreeEntry(path: path, kind: .file, objectID: Self.hex(id)))
            }
        }
    }

    private func blob(_ oid: UnsafePointer<git_oid>?, operation: String) throws(GitError) -> [UInt8] {
        var blob: OpaquePointer?
        try check(operation, git_blob_lookup(&blob, handle, oid))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    private static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
