package import SextantAPI

/// What a signal source needs to judge a model's drift (`spec.monitoring.drift`, or
/// `retrain.on` naming `drift`): the version that serves and where its reference sample is,
/// the revisions whose logged rows are the current sample, and the settings.
package struct DriftQuery: Sendable, Hashable {
    /// The stable version: its reference sample is compared.
    package var version: Int
    /// Its files, relative to the state directory (`models/NAME/vN`): the reference sample
    /// lives next to them (`DriftQuery.referenceDirectory`).
    package var modelDirectory: String
    /// The serving revisions of that version, ascending.
    package var revisions: [Int]
    /// The features with the contract's types, in the model's order.
    package var features: [FeatureColumn]
    package var method: DriftMethod
    package var threshold: Double?
    package var driftShare: Double
    package var window: Int
    /// Seconds between two computations; the last report is kept in between.
    package var interval: Double

    /// `spec` nil: every default (drift judged for `retrain.on: [drift]` alone).
    package init(version: Int, modelDirectory: String, revisions: [Int], features: [FeatureColumn], spec: DriftSpec?) {
        self.version = version
        self.modelDirectory = modelDirectory
        self.revisions = revisions
        self.features = features
        method = spec?.method ?? .auto
        threshold = spec?.threshold
        driftShare = spec?.driftShare ?? DriftSpec.defaultDriftShare
        window = max(1, spec?.window ?? DriftSpec.defaultWindow)
        interval = (spec?.interval ?? DriftSpec.defaultInterval).seconds
    }

    /// Where a version's reference sample is kept, relative to the state directory: beside
    /// its files, not among them (they are served and packaged; the sample is not).
    package static func referenceDirectory(modelDirectory: String) -> String {
        modelDirectory + ".reference"
    }

    /// The training rows' features (header: the feature names).
    package static let referenceRowsFile = "rows.csv"
    /// The version's `predict` answers on the evaluation holdout (header: `predict`).
    package static let referencePredictionsFile = "predictions.csv"

    /// Fewer current rows than this give no verdict (DESIGN §7).
    package static let minimumCurrentRows = 100
}
