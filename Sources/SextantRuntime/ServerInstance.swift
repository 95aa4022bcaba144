#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SextantCore

/// The working directory of one serving command's instance — the evaluation instance, the
/// incumbent's private instance, each replica — never shared with another: made afresh at
/// each start, with the watched root's files as of the revision's commit and a copy of the
/// version's model files in `.sextant/model/` (its `SEXTANT_MODEL_DIR`), so that what one
/// instance writes (caches, `.metrics/`, sockets) no other instance sees, and no instance
/// can change the registered version's files.
///
/// `servers/MODEL/commit-SHA/` (made once per commit, from the commit's blobs) is the
/// source each instance's files are copied from: a replica restarted or an incumbent
/// started later has no workspace of its own to materialize.
struct ServerInstance {
    /// `WORK/servers/MODEL/rREVISION-ROLE-INDEX`.
    let directory: String
    /// Its copy of the model files.
    var modelDirectory: String { directory + "/.sextant/model" }

    init(work: String, model: String, revision: Int, role: String, index: Int) {
        directory = "\(work)/servers/\(model)/r\(revision)-\(role)-\(index)"
    }
}

extension EmbeddedRuntime {
    /// Prepares a serving command's instance directory; returns it.
    func prepareInstance(_ launch: ServingLaunch, commit: String, workspace: Workspace?, role: String, index: Int,
                         state: String) async throws(ActionError) -> ServerInstance {
        let work = workDirectory ?? state
        let source = "\(work)/servers/\(launch.model)/commit-\(commit.prefix(12))"
        let instance = ServerInstance(work: work, model: launch.model, revision: launch.revision, role: role, index: index)
        do throws(SandboxError) {
            if !FileManager.default.fileExists(atPath: source + "/.sextant-complete") {
                guard let workspace, workspace.commit == commit else {
                    throw SandboxError("the files of r\(launch.revision) (commit \(commit.prefix(7))) are not in \(source) any more")
                }
                // Never written into where the user may have left links: made afresh.
                try? FileManager.default.removeItem(atPath: source)
                if let sandbox { try sandbox.makeTraversable(source, below: work) }
                do throws(ActionError) {
                    try await materialize(workspace, at: source)
                } catch {
                    throw SandboxError(error.message)
                }
                _ = FileManager.default.createFile(atPath: source + "/.sextant-complete", contents: nil)
                try sandbox?.handOver(source)
            }
            try? FileManager.default.removeItem(atPath: instance.directory)
            if let sandbox { try sandbox.makeTraversable(instance.directory, below: work) }
            do throws(ModelFiles.CopyError) {
                // Read as untrusted (under a sandbox, the user owns the source): no links followed.
                _ = try ModelFiles.copy(from: source, to: instance.directory)
                try? FileManager.default.removeItem(atPath: instance.directory + "/.sextant-complete")
                // `.sextant/` is Sextant's, as in a trainer's run directory.
                try? FileManager.default.removeItem(atPath: instance.directory + "/.sextant")
                guard mkdir(instance.directory + "/.sextant", 0o755) == 0 else {
                    throw ModelFiles.CopyError("cannot create \(instance.directory)/.sextant: \(String(cString: strerror(errno)))")
                }
                _ = try ModelFiles.copy(from: state + "/" + launch.modelDirectory, to: instance.modelDirectory)
            } catch {
                throw SandboxError("cannot prepare \(instance.directory): \(error.message)")
            }
            try sandbox?.handOver(instance.directory)
        } catch {
            throw ActionError(error.message)
        }
        return instance
    }
}
