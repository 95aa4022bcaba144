import Foundation
package import SextantCore

extension EmbeddedRuntime: ServerFiles {
    /// A server's files for a runtime that runs it elsewhere (DESIGN §12): a fresh instance
    /// directory as a local serving command gets (the commit's files, for a server of the
    /// repository's code), its model files moved from `.sextant/model/` to `model/`, and
    /// nothing else of `.sextant/`.
    package func stage(_ launch: ServingLaunch, workspace: Workspace?, role: String, index: Int) async throws(ActionError) -> String {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory") }
        let directory: String
        let model: String
        switch launch.runtime {
        case .builtin:
            let instance = ServerInstance(work: workDirectory ?? state, model: launch.model, revision: launch.revision, role: role + "-staged", index: index)
            directory = instance.directory
            model = directory + "/model"
            try? FileManager.default.removeItem(atPath: directory)
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ActionError("cannot create \(directory): \(error.localizedDescription)")
            }
            do throws(ModelFiles.CopyError) {
                _ = try ModelFiles.copy(from: state + "/" + launch.modelDirectory, to: model)
            } catch {
                throw ActionError("cannot prepare \(directory): \(error.message)")
            }
        case .command(_, _, let commit), .rayServe(_, _, let commit):
            let instance = try await prepareInstance(launch, commit: commit, workspace: workspace, role: role + "-staged", index: index, state: state)
            directory = instance.directory
            model = directory + "/model"
            do {
                try? FileManager.default.removeItem(atPath: model)
                try FileManager.default.moveItem(atPath: instance.modelDirectory, toPath: model)
                try FileManager.default.removeItem(atPath: directory + "/.sextant")
            } catch {
                throw ActionError("cannot prepare \(directory): \(error.localizedDescription)")
            }
        }
        return directory
    }
}
