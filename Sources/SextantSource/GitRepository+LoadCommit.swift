package import SextantAPI
package import SextantCore
package import SextantGit

/// A loaded commit and the tree it was read from: what the next commit's load starts from.
package struct CommitLoad {
    package var tree: GitTreeSource
    package var loaded: LoadedCommit
}

extension GitRepository {
    /// Loads and validates the manifests of a commit's watched root, with the blob ids of
    /// the data files its datasets read. Reads objects only: never runs anything.
    package func loadCommit(_ commit: String, root: String, loader: ManifestLoader = ManifestLoader(), cache: ParseCache? = nil) throws(GitError) -> LoadedCommit {
        try loadCommit(commit, root: root, loader: loader, cache: cache, after: nil).loaded
    }

    /// Loads a commit starting from an earlier one of the same root: the two trees are
    /// compared, and only the files that differ are read, parsed and checked again (with
    /// the manifests that refer to what they define), unless the trees hold symlinks or the
    /// ignore file changed; then every file is listed and checked, reusing the parses of
    /// unchanged files. Either way the result is the one a load from scratch gives.
    package func loadCommit(_ commit: String, root: String, loader: ManifestLoader = ManifestLoader(), cache: ParseCache? = nil,
                            after previous: CommitLoad?) throws(GitError) -> CommitLoad {
        if let previous, previous.tree.commit == commit { return previous }
        if let previous, let changes = try? changes(from: previous.tree.commit, to: commit, under: previous.tree.root) {
            let tree = GitTreeSource(updating: previous.tree, to: commit, changes: changes)
            if tree.symlinkCount == 0, previous.tree.symlinkCount == 0,
               let result = loader.load(tree, changing: previous.loaded.result, changes: ChangedFiles(changes)) {
                return CommitLoad(tree: tree, loaded: LoadedCommit(result: result, blobs: Self.blobs(of: result, in: tree)))
            }
            return try load(tree, loader: loader, cache: cache ?? ParseCache(previous.loaded.result, source: previous.tree))
        }
        let tree: GitTreeSource
        do throws(GitError) {
            tree = try GitTreeSource(repository: self, commit: commit, root: root)
        } catch where error.isNotFound && !root.isEmpty {
            throw GitError(operation: "read \(root)/ at \(commit.prefix(7))", code: error.code,
                           message: "no such directory in the commit; check --path")
        }
        return try load(tree, loader: loader, cache: cache)
    }

    private func load(_ tree: GitTreeSource, loader: ManifestLoader, cache: ParseCache?) throws(GitError) -> CommitLoad {
        let result: ManifestLoader.Result
        do throws(SourceError) {
            result = try loader.load(tree, cache: cache)
        } catch {
            throw GitError(operation: "read \(tree.commit.prefix(7))", code: 0, message: error.message)
        }
        return CommitLoad(tree: tree, loaded: LoadedCommit(result: result, blobs: Self.blobs(of: result, in: tree)))
    }

    /// Every file of the watched root (a trainer's or server's workspace is made of them),
    /// and each dataset's path as written (symlinks followed).
    private static func blobs(of result: ManifestLoader.Result, in tree: GitTreeSource) -> [String: String] {
        var blobs = tree.regularFiles
        for dataset in result.manifests.datasets {
            // A path listed as a file is already there (no symlink on its way, nothing to normalize).
            guard let path = dataset.spec.source.path, blobs[path] == nil else { continue }
            let normalized = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            if let id = tree.blobID(of: normalized) { blobs[normalized] = id }
        }
        return blobs
    }
}

extension ChangedFiles {
    init(_ changes: [TreeChange]) {
        self.init(paths: Set(changes.map(\.path)),
                  contentOnly: changes.allSatisfy { $0.old != nil && $0.new != nil && $0.old?.kind == $0.new?.kind })
    }
}
