internal import CGit2

/// A file that differs between two trees: added (no `old`), deleted (no `new`), or changed
/// in content or kind.
package struct TreeChange: Sendable, Hashable {
    /// The path, relative to the prefix the diff was asked for.
    package var path: String
    package var old: TreeEntry?
    package var new: TreeEntry?

    package init(path: String, old: TreeEntry?, new: TreeEntry?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

extension GitRepository {
    /// The files that differ between the trees of two commits under `prefix`, compared by
    /// libgit2 tree against tree: subtrees with the same id are skipped unread, so a commit
    /// that edits one file of ten thousand costs a few tree reads. No rename detection: a
    /// renamed file is a deletion and an addition.
    ///
    /// - Throws: `GitError` with `isNotFound` when either commit lacks the prefix.
    package func changes(from old: String, to new: String, under prefix: String = "") throws(GitError) -> [TreeChange] {
        let oldTree = try tree(at: old, under: prefix)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(at: new, under: prefix)
        defer { git_tree_free(newTree) }
        let operation = "compare \(old.prefix(7)) with \(new.prefix(7))"
        var options = git_diff_options()
        try check(operation, git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        // A file that becomes a symlink is one change, not a deletion and an addition.
        options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        try check(operation, git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options))
        defer { git_diff_free(diff) }
        var changes: [TreeChange] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let path = String(cString: delta.new_file.path ?? delta.old_file.path)
            let oldEntry = delta.status == GIT_DELTA_ADDED ? nil : Self.entry(delta.old_file, path: path)
            let newEntry = delta.status == GIT_DELTA_DELETED ? nil : Self.entry(delta.new_file, path: path)
            changes.append(TreeChange(path: path, old: oldEntry, new: newEntry))
        }
        return changes
    }

    private static func entry(_ file: git_diff_file, path: String) -> TreeEntry {
        var id = file.id
        return TreeEntry(path: path, kind: TreeEntry.Kind(mode: UInt32(file.mode)), objectID: hex(&id))
    }
}
