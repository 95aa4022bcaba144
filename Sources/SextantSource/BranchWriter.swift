package import Foundation
package import SextantAPI
package import SextantCore
package import SextantGit

/// How Sextant writes branches: `--git-author` and `--git-credentials-file`, read once.
package struct BranchWriteSettings: Sendable, Hashable {
    /// The author and committer of Sextant's commits.
    package var author: GitSignature
    /// What a push presents to the remote.
    package var credentials: GitCredentials

    package init(author: GitSignature = .sextant, credentials: GitCredentials = .none) {
        self.author = author
        self.credentials = credentials
    }
}

/// A branch Sextant pushed.
package struct WrittenBranch: Sendable, Hashable {
    /// `sextant/<purpose>/<model>`.
    package var branch: String
    /// The commit the branch now names.
    package var headCommit: String
    /// The followed branch's commit it was made on.
    package var baseCommit: String

    package init(branch: String, headCommit: String, baseCommit: String) {
        self.branch = branch
        self.headCommit = headCommit
        self.baseCommit = baseCommit
    }
}

/// Why a branch was not written; nothing was pushed.
package enum BranchWriteError: Error, Sendable, CustomStringConvertible {
    /// The edited files do not load as a valid manifest set: the loader's diagnostics.
    case invalidManifests(branch: String, diagnostics: [Diagnostic])
    /// Git failed: the commit could not be written, or the remote refused the push.
    case git(GitError)

    package var description: String {
        switch self {
        case .invalidManifests(let branch, let diagnostics):
            let first = diagnostics.first.map { ": \($0)" } ?? ""
            let more = diagnostics.count > 1 ? " (and \(diagnostics.count - 1) more)" : ""
            return "not writing \(branch): the edited manifests do not validate\(first)\(more)"
        case .git(let error):
            return error.description
        }
    }
}

/// Proposes a change as a commit on `sextant/<purpose>/<model>`, made on the followed
/// commit and force-pushed to the repository's remote: never on the followed branch.
package struct BranchWriter: Sendable {
    /// The remote pushed to: the followed repository's URL.
    package var remoteURL: String
    /// The watched root inside the repository, whose manifests must still validate.
    package var root: String
    package var settings: BranchWriteSettings
    package var loader: ManifestLoader

    package init(remoteURL: String, root: String, settings: BranchWriteSettings, loader: ManifestLoader = ManifestLoader()) {
        self.remoteURL = remoteURL
        self.root = root
        self.settings = settings
        self.loader = loader
    }

    /// Commits `changes` (new content by path from the repository root; nil deletes) on
    /// `base`, checks that the watched root still loads and validates, and pushes the
    /// commit to `sextant/<purpose>/<model>`. Blocks: call it off the cooperative pool, on
    /// the thread that owns `repository`.
    ///
    /// - Throws: `BranchWriteError.invalidManifests` with the loader's diagnostics (nothing
    ///   pushed), or `.git` when the commit or the push failed.
    package func write(in repository: GitRepository, base: String, purpose: ChangePurpose, model: String,
                       changes: [String: [UInt8]?], message: String, time: Date) throws(BranchWriteError) -> WrittenBranch {
        let branch = purpose.branch(model: model)
        let head: String
        let loaded: LoadedCommit
        do throws(GitError) {
            head = try repository.commit(parent: base, changes: changes, message: message, author: settings.author, time: time)
            // The commit stays an unreferenced object unless it validates.
            loaded = try repository.loadCommit(head, root: root, loader: loader)
        } catch {
            throw .git(error)
        }
        guard loaded.result.isValid else {
            throw .invalidManifests(branch: branch, diagnostics: loaded.result.diagnostics)
        }
        do throws(GitError) {
            try repository.push(commit: head, to: branch, remote: remoteURL, credentials: settings.credentials)
        } catch {
            throw .git(error)
        }
        return WrittenBranch(branch: branch, headCommit: head, baseCommit: base)
    }
}
