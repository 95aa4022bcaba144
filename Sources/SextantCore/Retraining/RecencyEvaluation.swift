/// The candidate and the serving revision on the recency holdout: the candidate answers
/// through a private server; the serving revision's answers are the ones it logged.
package struct RecencyEvaluationJob: Sendable, Hashable {
    package var launch: ServingLaunch
    package var workspace: Workspace?
    /// The rows' types and the task (its location is not read).
    package var data: TrainingData
    /// The features in the order of `LabelledRow.features`.
    package var features: [String]
    package var classes: [String]
    package var rows: [LabelledRow]

    package init(launch: ServingLaunch, workspace: Workspace?, data: TrainingData, features: [String], classes: [String], rows: [LabelledRow]) {
        self.launch = launch
        self.workspace = workspace
        self.data = data
        self.features = features
        self.classes = classes
        self.rows = rows
    }
}

/// Metrics by name on the recency holdout.
package struct RecencyComparison: Sendable, Hashable {
    package var candidate: [String: Double]
    package var serving: [String: Double]
    package var rows: Int

    package init(candidate: [String: Double], serving: [String: Double], rows: Int) {
        self.candidate = candidate
        self.serving = serving
        self.rows = rows
    }
}
