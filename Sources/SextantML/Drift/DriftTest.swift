/// A drift test (DESIGN §7 `method`): three p-value tests and three distances, as Evidently
/// 0.7 names and computes them.
package enum DriftTest: String, Sendable, Hashable, CaseIterable, Codable {
    /// Two-sample Kolmogorov–Smirnov p-value (SciPy `ks_2samp`, `method='auto'`).
    case ks
    /// Pearson chi-square p-value of the current counts against the reference proportions.
    case chiSquare
    /// Two-proportion z-test p-value (two-sided), for binary features.
    case zTest
    /// Wasserstein distance divided by the reference's standard deviation (floored at 0.001).
    case wasserstein
    /// Jensen–Shannon distance (natural log) of the binned distributions.
    case jensenShannon
    /// Population stability index of the binned distributions.
    case psi

    /// p-value tests drift when statistic <= threshold (Evidently's `ks`; `chiSquare` and
    /// `zTest` drift when statistic < threshold); distances when statistic >= threshold.
    package var isPValue: Bool {
        switch self {
        case .ks, .chiSquare, .zTest: true
        case .wasserstein, .jensenShannon, .psi: false
        }
    }

    /// Evidently's default threshold: 0.05 for the p-values, 0.1 for the distances and PSI.
    package var defaultThreshold: Double {
        isPValue ? 0.05 : 0.1
    }

    /// Whether a statistic drifts past a threshold, with the comparison Evidently 0.7 uses for
    /// this test: `ks` p ≤ t, `chiSquare`/`zTest` p < t, the distances d ≥ t.
    package func drifted(statistic: Double, threshold: Double) -> Bool {
        switch self {
        case .ks: statistic <= threshold
        case .chiSquare, .zTest: statistic < threshold
        case .wasserstein, .jensenShannon, .psi: statistic >= threshold
        }
    }

    /// Whether the test can judge a feature of this kind (Evidently's `allowed_feature_types`,
    /// except that the auto rule may also pick chi-square and z for numerical features with
    /// at most 5 distinct values, as Evidently's does).
    package func applies(to kind: FeatureKind) -> Bool {
        switch self {
        case .ks, .wasserstein: kind == .numerical
        case .chiSquare, .zTest: kind == .categorical
        case .jensenShannon, .psi: true
        }
    }
}

/// How a feature is compared: by value (numerical) or as categories.
package enum FeatureKind: String, Sendable, Hashable, Codable {
    case numerical, categorical
}
