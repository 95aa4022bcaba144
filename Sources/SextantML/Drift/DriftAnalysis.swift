/// Drift of features between a reference and a current sample (DESIGN §7), with Evidently
/// 0.7's tests, thresholds and default rule, so verdicts agree with it on the same data.
package enum DriftAnalysis {
    /// Up to this many reference values the auto rule uses p-value tests, above it distances.
    static let smallReference = 1_000
    /// A numerical feature with more distinct values (both sides) than this is tested as
    /// continuous (KS or Wasserstein); with fewer, by value (chi-square, z or Jensen–Shannon).
    static let continuousValues = 5
    /// An integer column with more distinct current values than this is numerical.
    static let numericalIntegerValues = 10

    /// The kind Evidently infers (DESIGN §7): number → numerical; integer → numerical with
    /// more than 10 distinct current values else categorical; boolean/string/date/timestamp →
    /// categorical. Values given as text are categorical whatever the type.
    package static func kind(of column: DriftColumn) -> FeatureKind {
        guard case .numbers = column.reference, case .numbers(let current) = column.current else {
            return .categorical
        }
        switch column.type {
        case .number:
            return .numerical
        case .integer:
            let distinct = Set(current.compactMap { $0 }.filter(\.isFinite).map { $0 == 0 ? 0 : $0 })
            return distinct.count > numericalIntegerValues ? .numerical : .categorical
        case .string, .boolean, .date, .timestamp:
            return .categorical
        }
    }

    /// One feature's verdict. The configured method is used where it can judge the feature's
    /// kind (KS and Wasserstein need numbers, chi-square and z categories); otherwise, and with
    /// `method: auto`, Evidently's default rule chooses. A side without values gives no test:
    /// the verdict is "not drifted" with a `note` saying why.
    package static func feature(_ column: DriftColumn, options: DriftOptions) -> FeatureDrift {
        let kind = kind(of: column)
        let sample = DriftSample(column, kind: kind)
        let method = options.method.flatMap { $0.applies(to: kind) ? $0 : nil } ?? automaticTest(kind: kind, sample: sample)
        let threshold = options.threshold ?? method.defaultThreshold
        let empty = [("reference", sample.referenceCount), ("current", sample.currentCount)].filter { $0.1 == 0 }.map(\.0)
        if !empty.isEmpty {
            return FeatureDrift(
                name: column.name, kind: kind, method: method, statistic: method.isPValue ? 1 : 0,
                threshold: threshold, drifted: false,
                note: "no \(empty.joined(separator: " or ")) values: nothing to compare"
            )
        }
        let statistic = statistic(method, sample, integer: column.type == .integer)
        return FeatureDrift(
            name: column.name, kind: kind, method: method, statistic: statistic, threshold: threshold,
            drifted: method.drifted(statistic: statistic, threshold: threshold)
        )
    }

    /// Every feature's verdict, the prediction's (same rule), and the dataset's: it drifts
    /// when the share of drifted features reaches `driftShare` (never without features).
    package static func run(features: [DriftColumn], prediction: DriftColumn?, options: DriftOptions) -> DriftResult {
        let verdicts = features.map { feature($0, options: options) }
        let drifted = verdicts.filter(\.drifted).count
        let share = verdicts.isEmpty ? 0 : Double(drifted) / Double(verdicts.count)
        return DriftResult(
            features: verdicts,
            prediction: prediction.map { feature($0, options: options) },
            driftedShare: share,
            datasetDrift: !verdicts.isEmpty && share >= options.driftShare
        )
    }

    /// Evidently's `_get_default_stattest`: with a small reference, KS for continuous numbers,
    /// else chi-square, or z for at most two values; with a large one, Wasserstein for
    /// continuous numbers, else Jensen–Shannon.
    static func automaticTest(kind: FeatureKind, sample: DriftSample) -> DriftTest {
        let values = sample.distinctValues
        let continuous = kind == .numerical && values > continuousValues
        if sample.referenceCount <= smallReference {
            return continuous ? .ks : (values > 2 ? .chiSquare : .zTest)
        }
        return continuous ? .wasserstein : .jensenShannon
    }

    private static func statistic(_ method: DriftTest, _ sample: DriftSample, integer: Bool) -> Double {
        switch method {
        case .ks, .wasserstein:
            guard case .numerical(let reference, let current) = sample else {
                preconditionFailure("\(method) tests numerical features only")
            }
            return method == .ks
                ? KolmogorovSmirnov.pValue(reference, current)
                : WassersteinDistance.normed(reference: reference, current: current)
        case .chiSquare:
            let (reference, current) = sample.categories
            return ChiSquareTest.pValue(reference: reference, current: current)
        case .zTest:
            let (reference, current) = sample.categories
            return ProportionZTest.pValue(reference: reference, current: current)
        case .jensenShannon:
            return JensenShannonDistance.distance(BinnedShares(sample, integer: integer))
        case .psi:
            return PopulationStabilityIndex.index(BinnedShares(sample, integer: integer))
        }
    }
}
