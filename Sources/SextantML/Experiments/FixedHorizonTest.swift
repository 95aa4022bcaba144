/// The classical two-sample test of a KPI, valid when the data is looked at once, at a
/// horizon fixed in advance (DESIGN §10).
///
/// * `mean`: Welch's unequal-variance t test, equal to SciPy's
///   `ttest_ind(candidate, stable, equal_var=False)` — statistic, p-value and
///   `confidence_interval(1 − alpha)`. Standard error √(v₁/n₁ + v₂/n₂) from the sample
///   variances (ddof 1), Welch–Satterthwaite degrees of freedom, Student t quantiles.
/// * `proportion` (values 0/1): the two-proportion z test with the pooled standard error
///   √(p(1 − p)(1/n₁ + 1/n₂)), p = all successes / all values, equal to statsmodels'
///   `proportions_ztest([x₁, x₂], [n₁, n₂])`. The interval is difference ± z₍₁₋α/₂₎ × the same
///   pooled standard error — a deliberate deviation from the usual unpooled Wald interval,
///   so that the interval excludes 0 exactly when p < alpha.
///
/// Looked at again and again as data arrives, this test finds differences that are not
/// there far more often than alpha (AASimulationTests measures it); the sequential decision
/// uses `ConfidenceSequence` instead.
package enum FixedHorizonTest {
    /// Compares the candidate's KPI values with the stable revision's.
    ///
    /// Returns nil when the comparison is undefined: an arm has fewer than two values, or the
    /// standard error is 0 (every value the same in both arms — for a proportion, all 0 or
    /// all 1 overall). SciPy and statsmodels answer NaN there (or an infinite statistic and
    /// p = 0 when two constant arms differ); a caller reports "not yet measurable" rather
    /// than decide on a zero-width interval. `alpha` must lie in (0, 1).
    package static func compare(kind: KPIValueKind, candidate: KPISummary, stable: KPISummary, alpha: Double) -> KPIComparison? {
        precondition(alpha > 0 && alpha < 1, "alpha must lie in (0, 1)")
        guard candidate.count >= 2, stable.count >= 2 else { return nil }
        let difference = candidate.mean - stable.mean
        let n1 = Double(candidate.count)
        let n2 = Double(stable.count)
        switch kind {
        case .mean:
            let share1 = candidate.variance / n1
            let share2 = stable.variance / n2
            let standardError = (share1 + share2).squareRoot()
            guard standardError > 0 else { return nil }
            let degrees = (share1 + share2) * (share1 + share2) / (share1 * share1 / (n1 - 1) + share2 * share2 / (n2 - 1))
            let statistic = difference / standardError
            let pValue = min(1, 2 * SpecialFunctions.studentTSurvival(abs(statistic), degrees: degrees))
            let halfWidth = SpecialFunctions.studentTQuantile(1 - alpha / 2, degrees: degrees) * standardError
            return KPIComparison(difference: difference, standardError: standardError, statistic: statistic, degreesOfFreedom: degrees,
                                 pValue: pValue, interval: ConfidenceInterval(lower: difference - halfWidth, upper: difference + halfWidth),
                                 alpha: alpha)
        case .proportion:
            let pooled = (candidate.sum + stable.sum) / (n1 + n2)
            let standardError = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
            guard standardError > 0, standardError.isFinite else { return nil }
            let statistic = difference / standardError
            let pValue = min(1, 2 * SpecialFunctions.normalSurvival(abs(statistic)))
            let halfWidth = SpecialFunctions.normalQuantile(1 - alpha / 2) * standardError
            return KPIComparison(difference: difference, standardError: standardError, statistic: statistic, degreesOfFreedom: nil,
                                 pValue: pValue, interval: ConfidenceInterval(lower: difference - halfWidth, upper: difference + halfWidth),
                                 alpha: alpha)
        }
    }

    /// `compare(kind:candidate:stable:alpha:)` on the values themselves.
    package static func compare(kind: KPIValueKind, candidate: [Double], stable: [Double], alpha: Double) -> KPIComparison? {
        compare(kind: kind, candidate: KPISummary(candidate), stable: KPISummary(stable), alpha: alpha)
    }
}
