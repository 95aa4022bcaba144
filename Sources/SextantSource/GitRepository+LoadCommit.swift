package import SextantAPI
package import SextantCore
package import SextantGit

extension GitRepository {
    /// Loads and validates the manifests of a commit's watched root, with the blob ids of
    /// the data files its datasets read. Reads objects only: never runs anything.
    package func loadCommit(_ commit: String, root: String, loader: ManifestLoader = ManifestLoader(), cache: ParseCache? = nil) throws(GitError) -> LoadedCommit {
        let tree: GitTreeSource
        do throws(GitError) {
            tree = try GitTreeSource(repository: self, commit: commit, root: root)
        } catch where error.isNotFound && !root.isEmpty {
            throw GitError(operation: "read \(root)/ at \(commit.prefix(7))", code: error.code,
                           message: "no such directory in the commit; check --path")
        }
        let result: ManifestLoader.Result
        do throws(SourceError) {
            result = try loader.load(tree, cache: cache)
        } catch {
            throw GitError(operation: "read \(commit.prefix(7))", code: 0, message: error.message)
        }
        // Every file of the watched root (a trainer's or server's workspace is made of
        // them), and each dataset's path as written (symlinks followed).
        var blobs = tree.regularFiles
        for dataset in result.manifests.datasets {
            guard let path = dataset.spec.source.path else { continue }
            let normalized = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            if let id = tree.blobID(of: normalized) { blobs[normalized] = id }
        }
        return LoadedCommit(result: result, blobs: blobs)
    }
}
