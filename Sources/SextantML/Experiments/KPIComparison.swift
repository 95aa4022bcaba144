/// How a candidate's KPI compares with the stable revision's: the difference of means
/// candidate − stable, its standard error, the test statistic, a two-sided p-value and a
/// (1 − alpha) interval. `FixedHorizonTest` and `ConfidenceSequence` both answer with one.
package struct KPIComparison: Sendable, Hashable {
    /// candidate mean − stable mean: positive when the candidate's KPI is higher.
    package var difference: Double
    /// The standard error of `difference` the test uses (see the producing function).
    package var standardError: Double
    /// difference / standardError: Welch's t, or z.
    package var statistic: Double
    /// Welch–Satterthwaite degrees of freedom of a t test; nil when the reference
    /// distribution is the normal.
    package var degreesOfFreedom: Double?
    /// The two-sided p-value of "no difference" (for a confidence sequence: its always-valid
    /// p-value, below alpha exactly when the interval excludes 0).
    package var pValue: Double
    /// The (1 − alpha) interval of the difference.
    package var interval: ConfidenceInterval
    /// The test's alpha.
    package var alpha: Double

    package init(difference: Double, standardError: Double, statistic: Double, degreesOfFreedom: Double?, pValue: Double,
                 interval: ConfidenceInterval, alpha: Double) {
        self.difference = difference
        self.standardError = standardError
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
        self.interval = interval
        self.alpha = alpha
    }

    /// Whether the interval leaves out 0, i.e. the test finds a difference at level alpha.
    package var excludesZero: Bool { interval.lower > 0 || interval.upper < 0 }
}
