import Dispatch
package import Foundation
package import SextantAPI
package import SextantCore
import SextantGit

/// The followed branch of a repository, mirrored under the state directory: cloned once,
/// fetched every pass, read commit by commit without a work tree.
///
/// libgit2 calls block, and a repository handle belongs to one thread at a time: every
/// call runs on one serial Dispatch queue, never on the cooperative pool.
package final class RepositorySource: GitSource, @unchecked Sendable {
    /// `--repo`, local paths made absolute.
    package let url: String
    /// The followed branch.
    package let branch: String
    /// The watched root inside the repository.
    package let root: String
    private let mirrorPath: String
    private let queue = DispatchQueue(label: "sextant.git")
    /// Touched only on `queue`.
    private var repository: GitRepository?
    private let loader: ManifestLoader
    /// The last commit loaded, which the next load starts from. Touched only on `queue`.
    private var last: CommitLoad?

    /// Nothing is opened yet: the first call mirrors the repository into
    /// `stateDirectory/source.git` (or opens the mirror made before).
    package init(url: String, branch: String, root: String, stateDirectory: String, loader: ManifestLoader = ManifestLoader()) {
        self.url = Self.normalize(url)
        self.branch = branch
        self.root = root.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        self.mirrorPath = stateDirectory + "/source.git"
        self.loader = loader
    }

    /// Local paths become absolute, so the mirror keeps working from any directory.
    package static func normalize(_ url: String) -> String {
        if url.contains("://") || (url.contains("@") && url.contains(":")) { return url }
        let absolute = url.hasPrefix("/") ? url : FileManager.default.currentDirectoryPath + "/" + url
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// Why a local `--repo` path cannot be followed (nil for URLs, and for a repository):
    /// said before libgit2, which would call a missing path an "unsupported URL protocol".
    package static func localProblem(_ url: String) -> String? {
        if url.contains("://") || (url.contains("@") && url.contains(":")) { return nil }
        let path = normalize(url)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such directory" }
        guard isDirectory.boolValue else { return "not a directory; give the repository's directory or a URL" }
        let bare = FileManager.default.fileExists(atPath: path + "/HEAD") && FileManager.default.fileExists(atPath: path + "/objects")
        guard bare || FileManager.default.fileExists(atPath: path + "/.git") else {
            return "not a Git repository (no .git inside); give the repository's top directory, and --path for a directory in it"
        }
        return nil
    }

    /// Fetches the branch into the mirror and reports its head, and the head it replaced
    /// when the branch was force-pushed.
    package func fetch() async throws(SourceFailure) -> SourceRevision {
        if let problem = Self.localProblem(url) { throw SourceFailure("--repo \(url): \(problem)") }
        return try await onQueue { repository throws(GitError) in
            let previous = try? repository.resolve("refs/remotes/origin/\(self.branch)")
            let commit = try repository.fetch(branch: self.branch)
            let info = try repository.commitInfo(commit)
            // A head that does not contain the previous one: the branch was force-pushed.
            var replaced: String?
            if let previous, previous != commit, try !repository.isDescendant(commit, of: previous) { replaced = previous }
            return SourceRevision(commit: commit, subject: info.subject, authorTime: Date(timeIntervalSince1970: TimeInterval(info.authorTime)),
                                  replaced: replaced)
        }
    }

    /// The manifests of a commit's watched root, starting from the last commit loaded: only
    /// the files that differ are read and checked again.
    package func load(_ commit: String) async throws(SourceFailure) -> LoadedCommit {
        try await onQueue { repository throws(GitError) in
            let load = try repository.loadCommit(commit, root: self.root, loader: self.loader, after: self.last)
            self.last = load
            return load.loaded
        }
    }

    /// Proposes a change as a commit on `sextant/<purpose>/<model>` made on `base` (a
    /// followed commit), validated and force-pushed to `--repo`; see `BranchWriter`.
    package func writeBranch(base: String, purpose: ChangePurpose, model: String, changes: [String: [UInt8]?], message: String,
                             settings: BranchWriteSettings, time: Date) async throws(BranchWriteError) -> WrittenBranch {
        let writer = BranchWriter(remoteURL: url, root: root, settings: settings, loader: loader)
        return try await onMirror(opening: BranchWriteError.git) { repository throws(BranchWriteError) in
            try writer.write(in: repository, base: base, purpose: purpose, model: model, changes: changes, message: message, time: time)
        }
    }

    package func contains(_ commit: String, in head: String) async -> Bool {
        guard commit != head else { return true }
        return (try? await onQueue { repository throws(GitError) in try repository.isDescendant(head, of: commit) }) ?? false
    }

    /// A file's bytes at a commit of the mirror; nil when the commit has no such file.
    package func read(_ path: String, at commit: String) async throws(SourceFailure) -> [UInt8]? {
        try await onQueue { repository throws(GitError) in
            do throws(GitError) {
                return try repository.read(path, at: commit)
            } catch where error.isNotFound {
                return nil
            }
        }
    }

    /// A blob of the mirror by id (the data files datasets read).
    package func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] {
        try await onQueue { repository throws(GitError) in try repository.readBlob(id) }
    }

    private func onQueue<T: Sendable>(_ work: @escaping @Sendable (GitRepository) throws(GitError) -> T) async throws(SourceFailure) -> T {
        do throws(GitError) {
            return try await onMirror(opening: { $0 }, work)
        } catch {
            throw SourceFailure(error.description)
        }
    }

    /// Runs `work` on the source's queue with the mirror, opened (or made) first; a failure
    /// to open it is `opening(error)`.
    private func onMirror<T: Sendable, Failure: Error>(opening: @escaping @Sendable (GitError) -> Failure,
                                                       _ work: @escaping @Sendable (GitRepository) throws(Failure) -> T) async throws(Failure) -> T {
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            queue.async {
                if self.repository == nil {
                    do throws(GitError) {
                        self.repository = try GitRepository.mirror(of: self.url, at: self.mirrorPath)
                    } catch {
                        return continuation.resume(returning: .failure(opening(error)))
                    }
                }
                do throws(Failure) {
                    continuation.resume(returning: .success(try work(self.repository!)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
