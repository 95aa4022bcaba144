/// Why a revision predicts what it does (DESIGN §9), computed at evaluation through the
/// serving path: permutation importance for every model, and for built-in linear models
/// the mean absolute exact SHAP value of each feature.
package struct Explanations: Sendable, Hashable, Codable {
    /// The metric the permuted holdouts were scored by: the first gate's (not a fairness
    /// metric), else `auc` (binary), `accuracy` (multiclass) or `r2` (regression).
    package var metric: String
    /// Permutations per feature.
    package var repeats: Int
    /// What seeded the permutations: the split seed.
    package var seed: UInt64
    /// The holdout rows permuted: all of them, or a seeded sample of
    /// `EvaluationLimits.importanceRows` of a larger holdout (nil in older records: all).
    package var rows: Int?
    /// Per feature, in decreasing mean importance (ties by name).
    package var importances: [FeatureImportance]
    /// Per feature, in the model's feature order: the mean absolute SHAP value over the
    /// holdout (nil when the server answers no `explanation` output).
    package var shap: [FeatureAttribution]?

    package init(metric: String, repeats: Int, seed: UInt64, rows: Int? = nil, importances: [FeatureImportance], shap: [FeatureAttribution]? = nil) {
        self.rows = rows
        self.metric = metric
        self.repeats = repeats
        self.seed = seed
        self.importances = importances
        self.shap = shap
    }

    /// The `top` most important features with their mean drop and its deviation:
    /// `amount 0.2120 ± 0.0247, account_age_days 0.1189 ± 0.0407`.
    package func summary(top: Int = 3) -> String {
        importances.prefix(top).map { "\($0.feature) \(formatMetric($0.mean)) ± \(formatMetric($0.std))" }.joined(separator: ", ")
    }
}

/// scikit-learn's `permutation_importance` of one feature: the holdout score minus the
/// score with the feature's column permuted, mean and (population) standard deviation over
/// the repeats.
package struct FeatureImportance: Sendable, Hashable, Codable {
    package var feature: String
    package var mean: Double
    package var std: Double

    package init(feature: String, mean: Double, std: Double) {
        self.feature = feature
        self.mean = mean
        self.std = std
    }
}

/// A feature's mean absolute SHAP value over the holdout, in the model's raw output's
/// units (log-odds for classifiers, the target's units for regression).
package struct FeatureAttribution: Sendable, Hashable, Codable {
    package var feature: String
    package var meanAbsolute: Double

    package init(feature: String, meanAbsolute: Double) {
        self.feature = feature
        self.meanAbsolute = meanAbsolute
    }
}

/// 95% bootstrap confidence intervals of the holdout metrics (DESIGN §9): percentile
/// intervals over `resamples` resamples of the holdout rows with replacement, seeded.
package struct MetricIntervals: Sendable, Hashable, Codable {
    package var confidence: Double
    package var resamples: Int
    package var seed: UInt64
    /// By metric name, the metrics that were defined on the holdout.
    package var intervals: [String: MetricInterval]

    package init(confidence: Double, resamples: Int, seed: UInt64, intervals: [String: MetricInterval]) {
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.intervals = intervals
    }
}

package struct MetricInterval: Sendable, Hashable, Codable {
    package var lower: Double
    package var upper: Double

    package init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The task's metrics on the holdout rows of one value of a sensitive feature.
package struct SliceMetrics: Sendable, Hashable, Codable {
    package var feature: String
    package var value: String
    package var rows: Int
    package var metrics: [String: Double]

    package init(feature: String, value: String, rows: Int, metrics: [String: Double]) {
        self.feature = feature
        self.value = value
        self.rows = rows
        self.metrics = metrics
    }
}
