package import SextantAPI
import SextantYAML

extension ProposedChange {
    /// The change a better retraining candidate proposes: only the dataset moves. A dataset
    /// read from the repository (`source.path`) gets the new table at its path (and its
    /// `sha256` pin, if it has one); a `uri:` dataset gets its `uri` and `sha256`.
    ///
    /// - Parameters:
    ///   - datasetFile: the manifest file that defines the dataset, as the loader names it.
    ///   - table: the table a `data: feedback` retraining wrote; nil when it trained on the
    ///     dataset as it is (`data: source`), whose content hash is `sha256`.
    package static func retraining(model: String, dataset: Dataset, datasetFile: String, sha256: String, table: RetrainingTable?,
                                   evidence: RetrainEvidence) -> ProposedChange {
        let object = ObjectKey(.dataset, dataset.metadata.name)
        func edit(_ path: FieldPath, _ value: String) -> ScalarEdit { ScalarEdit(file: datasetFile, object: object, field: path, value: value) }
        let pin = edit(["spec", "sha256"].path, sha256)
        var edits: [ScalarEdit] = []
        var files: [FileWrite] = []
        if let path = dataset.spec.source.path {
            if let table { files.append(FileWrite(path: path, bytes: table.bytes)) }
            if dataset.spec.sha256 != nil { edits.append(pin) }
        } else {
            if let table { edits.append(edit(["spec", "source", "uri"].path, table.uri)) }
            edits.append(pin)
        }
        let title = "Retrain \(model): v\(evidence.candidate.version) on \(dataset.metadata.name) (sha256 \(sha256.prefix(12)))"
        return ProposedChange(purpose: .retrain, model: model, title: String(title.prefix(255)), edits: edits, files: files, evidence: evidence)
    }
}

extension Array where Element == String {
    /// Mapping keys from the document's root.
    fileprivate var path: FieldPath { FieldPath(map { .key($0) }) }
}
