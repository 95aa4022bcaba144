internal import CGit2
import Foundation

/// A local Git repository, read through libgit2 without a work tree.
///
/// Not thread-safe: use one instance from one thread at a time.
package final class GitRepository {
    let handle: OpaquePointer
    /// The path the repository was opened from.
    package let path: String

    static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    /// Opens the repository at `path` (a work tree, its `.git` folder, or a bare repository).
    package init(path: String) throws(GitError) {
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

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the bare mirror at `path` whose `origin` is `url`, creating it (an empty bare
    /// repository with that remote) when the folder does not exist yet. Nothing is
    /// downloaded until `fetch(branch:)`. The caller owns the folder exclusively (the state
    /// directory's lock): lock files a killed fetch left behind are removed.
    ///
    /// - Throws: `GitError` when the folder holds a mirror of another URL.
    package static func mirror(of url: String, at path: String) throws(GitError) -> GitRepository {
        _ = initialized
        var repository: OpaquePointer?
        let opened: GitRepository
        if git_repository_open_ext(&repository, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_BARE.rawValue, nil) == 0, let repository {
            opened = GitRepository(handle: repository, path: path)
            removeStaleLocks(under: path)
        } else {
            try check("create mirror \(path)", git_repository_init(&repository, path, 1))
            opened = GitRepository(handle: repository!, path: path)
        }
        switch try opened.remoteURL("origin") {
        case nil:
            // New, or created by a process killed before it added the remote.
            var remote: OpaquePointer?
            try check("add remote \(redacted(url))", git_remote_create(&remote, opened.handle, "origin", url))
            git_remote_free(remote)
        case url?:
            break
        case let other?:
            throw GitError(operation: "open mirror \(path)", code: 0,
                           message: "it mirrors \(redacted(other)), not \(redacted(url)); use another --state-dir or delete \(path)")
        }
        return opened
    }

    /// `*.lock` files under `refs/` and the packed-refs lock, left by a process killed mid-fetch.
    private static func removeStaleLocks(under path: String) {
        let manager = FileManager.default
        for candidate in ["packed-refs.lock", "config.lock", "HEAD.lock"] {
            try? manager.removeItem(atPath: path + "/" + candidate)
        }
        guard let walker = manager.enumerator(atPath: path + "/refs") else { return }
        for case let relative as String in walker where relative.hasSuffix(".lock") {
            try? manager.removeItem(atPath: path + "/refs/" + relative)
        }
    }

    /// The URL of a remote, or nil when there is no such remote.
    package func remoteURL(_ name: String) throws(GitError) -> String? {
        var remote: OpaquePointer?
        let code = git_remote_lookup(&remote, handle, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check("look up remote \(name)", code)
        defer { git_remote_free(remote) }
        return git_remote_url(remote).map { String(cString: $0) }
    }

    /// Fetches one branch of `origin` into `refs/remotes/origin/<branch>`, following force
    /// pushes, and returns the commit it now names. Blocks: call it off the cooperative pool.
    package func fetch(branch: String) throws(GitError) -> String {
        let operation = "fetch \(branch) from \(redacted((try? remoteURL("origin")).flatMap { $0 } ?? "origin"))"
        var remote: OpaquePointer?
        try check(operation, git_remote_lookup(&remote, handle, "origin"))
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        try check(operation, git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)))
        // ssh: the keys of a running ssh-agent, offered once (libgit2 asks again after a
        // refusal, which would loop); http(s): what the URL carries.
        var attempts: Int32 = 0
        options.callbacks.credentials = { credential, _, usernameFromURL, allowedTypes, payload in
            let attempts = payload!.assumingMemoryBound(to: Int32.self)
            attempts.pointee += 1
            guard attempts.pointee <= 2 else { return GIT_EUSER.rawValue }
            if allowedTypes & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
                if let usernameFromURL { return git_credential_username_new(credential, usernameFromURL) }
                return git_credential_username_new(credential, "git")
            }
            if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
                if let usernameFromURL { return git_credential_ssh_key_from_agent(credential, usernameFromURL) }
                return git_credential_ssh_key_from_agent(credential, "git")
            }
            return GIT_PASSTHROUGH.rawValue
        }
        options.prune = GIT_FETCH_NO_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        let refspec = "+refs/heads/\(branch):refs/remotes/origin/\(branch)"
        var code: Int32 = 0
        withUnsafeMutablePointer(to: &attempts) { attempts in
            options.callbacks.payload = UnsafeMutableRawPointer(attempts)
            refspec.withCString { spec in
                var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: spec)]
                strings.withUnsafeMutableBufferPointer { buffer in
                    var array = git_strarray(strings: buffer.baseAddress, count: 1)
                    code = git_remote_fetch(remote, &array, &options, "sextant fetch")
                }
            }
        }
        try check(operation, code)
        do {
            return try resolve("refs/remotes/origin/\(branch)")
        } catch where error.isNotFound {
            throw GitError(operation: operation, code: error.code, message: "the remote has no branch \(branch)")
        }
    }

    /// True when `descendant` is `ancestor` or has it in its history: false after a force push.
    package func isDescendant(_ descendant: String, of ancestor: String) throws(GitError) -> Bool {
        if descendant == ancestor { return true }
        var a = git_oid(), b = git_oid()
        try check("read commit \(descendant)", git_oid_fromstr(&a, descendant))
        try check("read commit \(ancestor)", git_oid_fromstr(&b, ancestor))
        let result = git_graph_descendant_of(handle, &a, &b)
        try check("compare \(descendant.prefix(7)) with \(ancestor.prefix(7))", result)
        return result == 1
    }

    /// Resolves a branch, tag, SHA (full or abbreviated) or any revision expression
    /// (`HEAD~1`, `origin/main`) to the commit it names.
    package func resolve(_ revision: String) throws(GitError) -> String {
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
    package func commitInfo(_ sha: String) throws(GitError) -> CommitInfo {
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
    package func files(at sha: String, under prefix: String = "") throws(GitError) -> [TreeEntry] {
        let root = try tree(at: sha, under: prefix)
        defer { git_tree_free(root) }
        var entries: [TreeEntry] = []
        try collect(root, into: &entries, prefix: "")
        return entries
    }

    /// The content of the file at `path` (relative to the repository root) in a commit.
    /// A symlink reads as its target path.
    package func read(_ path: String, at sha: String) throws(GitError) -> [UInt8] {
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
    package func read(_ entry: TreeEntry) throws(GitError) -> [UInt8] {
        let operation = "read \(entry.path)"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, entry.objectID))
        return try blob(&oid, operation: operation)
    }

    /// A blob's size from its object header, without loading its content (a blob can be
    /// gigabytes; a manifest may not).
    package func blobSize(_ id: String) throws(GitError) -> Int {
        let operation = "measure blob \(id.prefix(12))"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, id))
        var database: OpaquePointer?
        try check(operation, git_repository_odb(&database, handle))
        defer { git_odb_free(database) }
        var size = 0
        var type = GIT_OBJECT_ANY
        try check(operation, git_odb_read_header(&size, &type, database, &oid))
        return size
    }

    /// The content of a blob by its id.
    package func readBlob(_ id: String) throws(GitError) -> [UInt8] {
        let operation = "read blob \(id.prefix(12))"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, id))
        return try blob(&oid, operation: operation)
    }

    // MARK: - Internals

    func lookupCommit(_ sha: String) throws(GitError) -> OpaquePointer {
        let operation = "look up commit \(sha)"
        var oid = git_oid()
        try check(operation, git_oid_fromstr(&oid, sha))
        var commit: OpaquePointer?
        try check(operation, git_commit_lookup(&commit, handle, &oid))
        return commit!
    }

    /// The tree of a commit under `prefix`, for the caller to free.
    func tree(at sha: String, under prefix: String) throws(GitError) -> OpaquePointer {
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
            let mode = git_tree_entry_filemode(entry)
            if mode == GIT_FILEMODE_TREE {
                var subtree: OpaquePointer?
                try check("read tree \(path)", git_tree_lookup(&subtree, handle, id))
                defer { git_tree_free(subtree) }
                try collect(subtree!, into: &entries, prefix: path)
            } else {
                entries.append(TreeEntry(path: path, kind: TreeEntry.Kind(mode: mode.rawValue), objectID: Self.hex(id)))
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

    static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A URL with any password or token (`https://user:token@host`) replaced by `***`, for
/// messages, logs and status: secrets never appear there.
package func redacted(_ url: String) -> String {
    guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
    let userInfo = url[scheme.upperBound..<at]
    guard !userInfo.contains("/") else { return url }
    let user = userInfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
    return url[..<scheme.upperBound] + (userInfo.contains(":") ? user + ":***" : "***") + url[at...]
}
