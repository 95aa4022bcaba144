internal import CGit2
package import Foundation

extension GitRepository {
    /// Writes a commit whose tree is `parent`'s with some files replaced, added or deleted,
    /// straight into the object database: no work tree, no index, no reference moved.
    ///
    /// - Parameters:
    ///   - changes: new content by path from the repository root; nil deletes the file.
    ///     A replaced file keeps its mode (an executable stays executable).
    ///   - time: the author and committer time, recorded in UTC.
    /// - Returns: the new commit's SHA.
    package func commit(parent: String, changes: [String: [UInt8]?], message: String, author: GitSignature, time: Date) throws(GitError) -> String {
        let operation = "commit on \(parent.prefix(7))"
        let parentCommit = try lookupCommit(parent)
        defer { git_commit_free(parentCommit) }
        var baseTree: OpaquePointer?
        try check(operation, git_commit_tree(&baseTree, parentCommit))
        defer { git_tree_free(baseTree) }

        var updates: [git_tree_update] = []
        var paths: [UnsafeMutablePointer<CChar>] = []
        defer { paths.forEach { free($0) } }
        for (path, content) in changes.sorted(by: { $0.key < $1.key }) {
            let normalized = path.split(separator: "/").joined(separator: "/")
            guard !normalized.isEmpty, !normalized.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
                throw GitError(operation: operation, code: 0, message: "\"\(path)\" is not a file path inside the repository")
            }
            let cPath = strdup(normalized)!
            paths.append(cPath)
            var update = git_tree_update()
            update.path = UnsafePointer(cPath)
            if let content {
                update.action = GIT_TREE_UPDATE_UPSERT
                try check("write \(normalized)", content.withUnsafeBytes { git_blob_create_from_buffer(&update.id, handle, $0.baseAddress, $0.count) })
                update.filemode = existingMode(of: normalized, in: baseTree!) ?? GIT_FILEMODE_BLOB
            } else {
                guard existingMode(of: normalized, in: baseTree!) != nil else {
                    throw GitError(operation: operation, code: GIT_ENOTFOUND.rawValue, message: "cannot delete \(normalized): no such file at \(parent.prefix(7))")
                }
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            updates.append(update)
        }
        var treeID = git_oid()
        try check(operation, git_tree_create_updated(&treeID, handle, baseTree, updates.count, updates))
        var tree: OpaquePointer?
        try check(operation, git_tree_lookup(&tree, handle, &treeID))
        defer { git_tree_free(tree) }

        var signature: UnsafeMutablePointer<git_signature>?
        try check("sign as \(author)", git_signature_new(&signature, author.name, author.email, git_time_t(time.timeIntervalSince1970), 0))
        defer { git_signature_free(signature) }
        var commitID = git_oid()
        var parents: [OpaquePointer?] = [parentCommit]
        try check(operation, git_commit_create(&commitID, handle, nil, signature, signature, nil, message, tree, 1, &parents))
        return Self.hex(&commitID)
    }

    /// The mode of a file in a tree, or nil when there is no file at the path.
    private func existingMode(of path: String, in tree: OpaquePointer) -> git_filemode_t? {
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        let mode = git_tree_entry_filemode(entry)
        return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE ? mode : nil
    }
}
