import Foundation
import SextantAPI
package import SextantCore

extension EmbeddedRuntime {
    /// Packages a version that passed as a ModelPack artifact in `STATE/artifacts`, with
    /// its model card (`model-card.md`, `model-card.json`) in the doc layer. The date is the
    /// version's creation, so the same registry gives the same bytes.
    package func package(_ job: PackageJob) async throws(ActionError) -> String {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory") }
        let directory = state + "/" + job.version.modelDirectory
        let files = ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).filter { !isDirectory(directory + "/" + $0) }
        guard !files.isEmpty else { throw ActionError("v\(job.version.number) has no files in \(directory)", reason: "NoOutput") }
        var weights: [String: [UInt8]] = [:]
        for file in files {
            guard let bytes = Self.readFile(directory + "/" + file) else { throw ActionError("cannot read \(directory)/\(file)") }
            weights[file] = bytes
        }
        var revision = job.revision
        revision.evaluation = job.evaluation
        let card: ModelCard
        do {
            card = ModelCard(model: job.model, version: job.version, revision: revision, context: job.cardContext,
                             weightsDigest: try ModelPackage.weightLayerDigest(weights))
        } catch {
            throw ActionError("cannot archive the files of v\(job.version.number): \(error)")
        }
        let format = weights["model.json"] != nil && job.version.trainer.split(separator: " ").count == 1 ? "sextant.model/v1" : "external"
        let package = ModelPackage(
            name: job.model, version: job.version.number, architecture: job.version.trainer, format: format, createdAt: job.version.createdAt,
            commit: job.version.commit, weights: weights, documents: card.documents)
        let layout = OCILayout(directory: state + "/artifacts")
        let written: Result<OCILayout.Descriptor, ActionError> = await offPool {
            do {
                return .success(try package.write(to: layout))
            } catch {
                return .failure(ActionError("cannot write the artifact \(package.tag) into \(layout.directory): \(error)"))
            }
        }
        return try written.get().digest
    }
}
