#if canImport(Glibc)
import Glibc
#endif

/// The always-valid interval of a KPI difference: an asymptotic confidence sequence
/// (Waudby-Smith, Arnold, Wu, Howard and Ramdas, "Time-uniform central limit theory and
/// asymptotic confidence sequences", 2023, eq. 9), as GrowthBook's gbstats computes it
/// (`SequentialTwoSidedTTest`, absolute difference). It may be looked at after every new
/// value, as often as one likes: the chance that any look ever excludes the true difference
/// stays at most alpha (asymptotically), where the fixed-horizon interval, looked at
/// repeatedly, errs far more often.
///
/// With N = n₁ + n₂ values in all, V the variance of the difference (below) and
/// ρ² = (−2 ln α + ln(1 − 2 ln α)) / N* — the mixing parameter that makes the sequence
/// tightest around N* values (the tuning; GrowthBook's default 5000) — the half-width is
///
///     √(N V) · √( 2 (N ρ² + 1) / (N² ρ²) · ln( √(N ρ² + 1) / α ) ).
///
/// V is v₁/n₁ + v₂/n₂ with each arm's variance as gbstats takes it: for `mean` the sample
/// variance (ddof 1, so V is Welch's squared standard error); for `proportion` p(1 − p) of
/// the arm's own share (gbstats' `ProportionStatistic`: unpooled, ddof 0) — not the pooled
/// variance of the fixed-horizon z test.
package enum ConfidenceSequence {
    /// GrowthBook's default tuning N*: the number of values around which the sequence is
    /// tightest (DESIGN §10).
    package static let defaultTuning = 5000.0

    /// The always-valid comparison of the candidate's KPI with the stable revision's:
    /// the difference candidate − stable, √V as standard error, the statistic difference/√V,
    /// the (1 − alpha) sequence's interval at this sample, and its always-valid p-value
    /// (gbstats' `p_value`, 1/e-value of eq. 155, at most 1: below alpha exactly when the
    /// interval excludes 0).
    ///
    /// Returns nil when undefined: an arm has fewer than two values, or V is 0 (each arm
    /// constant — for a proportion each arm all 0 or all 1), where gbstats returns its
    /// "zero variance" default. `alpha` in (0, 1), `tuning` > 0.
    package static func compare(kind: KPIValueKind, candidate: KPISummary, stable: KPISummary, alpha: Double,
                                tuning: Double = defaultTuning) -> KPIComparison? {
        precondition(alpha > 0 && alpha < 1, "alpha must lie in (0, 1)")
        precondition(tuning > 0, "the tuning N* must be positive")
        guard candidate.count >= 2, stable.count >= 2 else { return nil }
        let variance = armVariance(kind, candidate) / Double(candidate.count) + armVariance(kind, stable) / Double(stable.count)
        guard variance > 0, variance.isFinite else { return nil }
        let difference = candidate.mean - stable.mean
        let count = Double(candidate.count + stable.count)
        let rhoSquared = mixingSquared(alpha: alpha, tuning: tuning)
        let spread = count * rhoSquared + 1
        let width = halfWidth(variance: variance, count: count, alpha: alpha, tuning: tuning)
        // The e-value exp(ρ² N z² / (2 (N ρ² + 1))) / √(N ρ² + 1), z = difference / √V.
        let statistic = difference / variance.squareRoot()
        let logEvidence = rhoSquared * count * statistic * statistic / (2 * spread) - 0.5 * log(spread)
        let pValue = min(1, exp(-logEvidence))
        return KPIComparison(difference: difference, standardError: variance.squareRoot(), statistic: statistic, degreesOfFreedom: nil,
                             pValue: pValue, interval: ConfidenceInterval(lower: difference - width, upper: difference + width), alpha: alpha)
    }

    /// `compare(kind:candidate:stable:alpha:tuning:)` on the values themselves.
    package static func compare(kind: KPIValueKind, candidate: [Double], stable: [Double], alpha: Double,
                                tuning: Double = defaultTuning) -> KPIComparison? {
        compare(kind: kind, candidate: KPISummary(candidate), stable: KPISummary(stable), alpha: alpha, tuning: tuning)
    }

    /// The half-width of the (1 − alpha) sequence after `count` values in all (both arms),
    /// when the difference has variance `variance` (V above).
    package static func halfWidth(variance: Double, count: Double, alpha: Double, tuning: Double = defaultTuning) -> Double {
        let rhoSquared = mixingSquared(alpha: alpha, tuning: tuning)
        let spread = count * rhoSquared + 1
        return (count * variance).squareRoot()
            * (2 * spread / (count * count * rhoSquared) * log(spread.squareRoot() / alpha)).squareRoot()
    }

    /// ρ², the mixing parameter chosen so the sequence is tightest at `tuning` values
    /// (the paper's eq. 161).
    static func mixingSquared(alpha: Double, tuning: Double) -> Double {
        (-2 * log(alpha) + log(-2 * log(alpha) + 1)) / tuning
    }

    /// One arm's variance as gbstats takes it: sample variance, or p(1 − p) for a proportion.
    static func armVariance(_ kind: KPIValueKind, _ arm: KPISummary) -> Double {
        switch kind {
        case .mean: arm.variance
        case .proportion: arm.mean * (1 - arm.mean)
        }
    }
}
