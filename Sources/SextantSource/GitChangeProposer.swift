import Dispatch
import Foundation
import SextantAPI
package import SextantCore
import SextantYAML

/// Writes Core's proposals to Git (DESIGN §8): applies the edits to the files of the base
/// commit (surgical YAML edits; whole files), commits them on `sextant/<purpose>/<model>`
/// (the edited tree must validate), pushes the branch to `--repo`, and, with a forge,
/// opens or updates its pull request.
package struct GitChangeProposer: ChangeProposer {
    package var source: RepositorySource
    package var settings: BranchWriteSettings
    /// The forge's pull requests; nil: the branch alone (`BranchPushed`).
    package var pullRequests: (any PullRequests)?
    /// `sextant plan -o markdown` from the base to the branch's head, appended to the pull
    /// request's body (blocking: called off the cooperative pool); nil when it cannot say.
    package var plan: (@Sendable (_ base: String, _ head: String) -> String?)?

    package init(source: RepositorySource, settings: BranchWriteSettings, pullRequests: (any PullRequests)?,
                 plan: (@Sendable (_ base: String, _ head: String) -> String?)? = nil) {
        self.source = source
        self.settings = settings
        self.pullRequests = pullRequests
        self.plan = plan
    }

    package func propose(_ change: ProposedChange) async throws(ActionError) -> PullRequestRecord {
        let files = try await editedFiles(change)
        let message = change.title + "\n\n" + String(change.body.prefix(20_000))
        let written: WrittenBranch
        do {
            written = try await source.writeBranch(base: change.baseCommit, purpose: change.purpose, model: change.model, changes: files,
                                                   message: message, settings: settings, time: Date())
        } catch {
            switch error {
            case .invalidManifests:
                throw ActionError(error.description, reason: "InvalidProposal")
            case .git:
                throw ActionError(error.description)
            }
        }
        guard let pullRequests, change.openPullRequest else {
            return PullRequestRecord(purpose: change.purpose, branch: written.branch, headCommit: written.headCommit, state: .pushed, updatedAt: Date())
        }
        var body = change.body
        if let plan, let markdown = await Self.offPool({ plan(written.baseCommit, written.headCommit) }) {
            body += "\n\n---\n\n" + markdown
        }
        do {
            let pull = try await pullRequests.openOrUpdate(PullRequestDraft(sourceBranch: written.branch, targetBranch: source.branch,
                                                                            title: change.title, body: body))
            return PullRequestRecord(purpose: change.purpose, branch: written.branch, headCommit: written.headCommit, url: pull.url,
                                     number: pull.number, state: PullRequestRecord.State(pull.state), updatedAt: Date())
        } catch {
            // The branch is pushed; the pull request is tried again with the proposal.
            throw ActionError("\(written.branch) pushed at \(written.headCommit.prefix(7)), but its pull request was not opened: \(error.description)")
        }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// The new bytes of every file the edits touch (nil: deleted).
    func editedFiles(_ change: ProposedChange) async throws(ActionError) -> [String: [UInt8]?] {
        var files: [String: [UInt8]?] = [:]
        func current(_ file: String) async throws(ActionError) -> [UInt8] {
            if let edited = files[file] {
                guard let edited else { throw ActionError("\(file) is deleted by an earlier edit", reason: "InvalidProposal") }
                return edited
            }
            guard let bytes = try await read(file, at: change.baseCommit) else {
                throw ActionError("\(file): no such file at \(change.baseCommit.prefix(7))", reason: "InvalidProposal")
            }
            return bytes
        }
        for edit in change.edits {
            switch edit {
            case .setScalar(let file, let field, let value):
                files[file] = try Self.edit(try await current(file), file: file, [.setScalar(FieldPath(dotted: field), .string(value))])
            case .restoreNode(let file, let field, let commit):
                guard let old = try await read(file, at: commit) else {
                    throw ActionError("\(file): no such file at \(commit.prefix(7)) to restore \(field) from", reason: "InvalidProposal")
                }
                files[file] = try Self.restore(FieldPath(dotted: field), in: try await current(file), from: old, file: file)
            case .restoreFile(let file, let commit):
                files[file] = .some(try await read(file, at: commit))
            case .writeFile(let file, let localPath):
                guard let bytes = FileManager.default.contents(atPath: localPath) else {
                    throw ActionError("cannot read \(localPath) (the new \(file))")
                }
                files[file] = Array(bytes)
            }
        }
        return files
    }

    /// Restores `path` as it is in `old`: replaced when both have it, nothing when neither
    /// does; when only one has it, its parent mapping is restored whole (a field added or
    /// removed since).
    static func restore(_ path: FieldPath, in current: [UInt8], from old: [UInt8], file: String) throws(ActionError) -> [UInt8] {
        let inOld = has(path, old, file: file), inCurrent = has(path, current, file: file)
        if !inOld && !inCurrent { return current }
        if inOld && inCurrent { return try edit(current, file: file, [.restoreNode(path, from: old)]) }
        guard path.components.count > 1 else {
            throw ActionError("\(file): \(path) is in only one of the two versions", reason: "InvalidProposal")
        }
        return try restore(FieldPath(Array(path.components.dropLast())), in: current, from: old, file: file)
    }

    private static func has(_ path: FieldPath, _ bytes: [UInt8], file: String) -> Bool {
        guard let editor = try? YAMLEditor(bytes, file: file) else { return false }
        return (try? editor.applying([.restoreNode(path, from: bytes)])) != nil
    }

    private static func edit(_ bytes: [UInt8], file: String, _ edits: [YAMLEdit]) throws(ActionError) -> [UInt8] {
        do {
            return try YAMLEditor(bytes, file: file).applying(edits)
        } catch {
            throw ActionError(error.description, reason: "InvalidProposal")
        }
    }

    private func read(_ file: String, at commit: String) async throws(ActionError) -> [UInt8]? {
        do {
            return try await source.read(file, at: commit)
        } catch {
            throw ActionError("reading \(file) at \(commit.prefix(7)): \(error.message)")
        }
    }
}

extension PullRequestRecord.State {
    init(_ state: PullRequestState) {
        switch state {
        case .open: self = .open
        case .merged: self = .merged
        case .closed: self = .closed
        }
    }
}

extension FieldPath {
    /// `spec.source.sha256`: keys separated by dots (manifest keys have none).
    init(dotted: String) {
        self.init(dotted.split(separator: ".").map { .key(String($0)) })
    }
}
