package import Foundation
package import SextantAPI

extension ProposedChange {
    /// The change a better retraining candidate proposes (DESIGN §7, §8): only the dataset
    /// moves. A dataset read from the repository (`source.path`) gets the new table at its
    /// path (and its `sha256` pin, if it has one); a `uri:` dataset gets its `uri` and
    /// `sha256`. The body is the evidence.
    ///
    /// - Parameters:
    ///   - datasetFile: the manifest file that defines the dataset, as the loader names it.
    ///   - root: the watched root inside the repository ("" for the whole repository).
    ///   - table: the table a `data: feedback` retraining wrote; nil when it trained on the
    ///     dataset as it is (`data: source`), whose content hash is `sha256`.
    ///   - promotion: `branch` pushes the branch without a pull request.
    package static func retraining(model: String, dataset: Dataset, datasetFile: String, root: String, sha256: String, table: RetrainingTable?,
                                   evidence: RetrainEvidence, promotion: RetrainPromotion, baseCommit: String, now: Date) -> ProposedChange {
        let pin = FileEdit.setScalar(file: datasetFile, field: "spec.sha256", value: sha256)
        var edits: [FileEdit] = []
        if let path = dataset.spec.source.path {
            if let table { edits.append(.writeFile(file: root.isEmpty ? path : "\(root)/\(path)", localPath: table.path)) }
            if dataset.spec.sha256 != nil { edits.append(pin) }
        } else {
            if let table { edits.append(.setScalar(file: datasetFile, field: "spec.source.uri", value: table.uri)) }
            edits.append(pin)
        }
        let title = "Retrain \(model): v\(evidence.candidate.version) on \(dataset.metadata.name) (sha256 \(sha256.prefix(12)))"
        return ProposedChange(purpose: .retrain, model: model, baseCommit: baseCommit, title: String(title.prefix(255)), body: evidence.markdown(),
                              edits: edits, requestedAt: now, openPullRequest: promotion != .branch)
    }
}
