import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring

extension ModelVersion {
    /// What decoding and scoring this version's logged traffic needs: the manifest's
    /// features in its order, the task, and a classifier's classes, as the registry
    /// recorded them at training. Nil for a record from before features were kept.
    var signature: ModelSignature? {
        guard let features else { return nil }
        return ModelSignature(features: features.map(\.name), task: recordedTask, classes: classes ?? [])
    }

    /// The recorded task; records from before it was kept have classes exactly when the
    /// version is a classifier.
    private var recordedTask: SextantML.ModelTask {
        switch task {
        case .binaryClassification?: .binaryClassification
        case .multiclassClassification?: .multiclassClassification
        case .regression?: .regression
        case nil: classes.map { $0.count > 2 ? .multiclassClassification : .binaryClassification } ?? .regression
        }
    }
}
