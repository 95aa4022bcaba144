package import SextantML

/// What decoding and scoring a model's logged traffic needs to know about the model: its
/// features in order and its task, with the classes of a classifier.
package struct ModelSignature: Sendable, Hashable {
    /// Feature names in the model's order (its inputs, as its metadata lists them).
    package var features: [String]
    package var task: ModelTask
    /// A classifier's class labels in `ClassOrder` (`false` before `true`); empty for regression.
    package var classes: [String]

    package init(features: [String], task: ModelTask, classes: [String] = []) {
        self.features = features
        self.task = task
        self.classes = task == .regression ? [] : ClassOrder.sorted(classes)
    }

    package var isClassifier: Bool { task != .regression }
}
