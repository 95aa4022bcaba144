/// The verdict on one feature.
package struct FeatureDrift: Sendable, Hashable, Codable {
    package var name: String
    package var kind: FeatureKind
    package var method: DriftTest
    /// The p-value for `ks`, `chiSquare`, `zTest`; the distance (or PSI) otherwise.
    package var statistic: Double
    package var threshold: Double
    package var drifted: Bool
    /// Why no test could be made (a side without values); nil when the statistic was computed.
    package var note: String?

    package init(name: String, kind: FeatureKind, method: DriftTest, statistic: Double, threshold: Double, drifted: Bool, note: String? = nil) {
        self.name = name
        self.kind = kind
        self.method = method
        self.statistic = statistic
        self.threshold = threshold
        self.drifted = drifted
        self.note = note
    }
}

/// The Model's `monitoring.drift` settings that the statistics use.
package struct DriftOptions: Sendable, Hashable {
    /// nil = auto (Evidently's default rule).
    package var method: DriftTest?
    /// nil = the method's default.
    package var threshold: Double?
    /// The share of drifted features from which the dataset drifts.
    package var driftShare: Double

    package init(method: DriftTest? = nil, threshold: Double? = nil, driftShare: Double = 0.5) {
        self.method = method
        self.threshold = threshold
        self.driftShare = driftShare
    }
}

/// Every feature's verdict, the prediction's, and the dataset's.
package struct DriftResult: Sendable, Hashable {
    /// In the order given.
    package var features: [FeatureDrift]
    package var prediction: FeatureDrift?
    /// Drifted features / features (the prediction excluded); 0 without features.
    package var driftedShare: Double
    /// driftedShare >= driftShare, Evidently's comparison (`get_dataset_drift`).
    package var datasetDrift: Bool

    package init(features: [FeatureDrift], prediction: FeatureDrift?, driftedShare: Double, datasetDrift: Bool) {
        self.features = features
        self.prediction = prediction
        self.driftedShare = driftedShare
        self.datasetDrift = datasetDrift
    }
}
