/// One arm's KPI values summarised: how many, their mean, and their spread — all an
/// experiment's statistics need, so an arm never has to keep its values.
///
/// The variance is the sample variance (ddof 1, NumPy's `var(ddof=1)`, SciPy's and
/// statsmodels' choice). Internally the summary keeps the sum of squared deviations from the
/// mean, which stays exact-ish however the values arrive: built from an array it is two-pass;
/// `adding(_:)` is Welford's update and `combined(with:)` Chan et al.'s merge, so a summary
/// can be made per analysis interval and merged with the ones before.
package struct KPISummary: Sendable, Hashable {
    /// How many values.
    package private(set) var count: Int
    /// Their mean; 0 when there are none.
    package private(set) var mean: Double
    /// Σ (value − mean)², the sum of squared deviations.
    package private(set) var squaredDeviations: Double

    /// The summary of no values.
    package init() {
        count = 0
        mean = 0
        squaredDeviations = 0
    }

    /// The summary of `values`, computed in two passes (the mean, then the deviations from it).
    package init(_ values: some Collection<Double>) {
        count = values.count
        guard count > 0 else {
            mean = 0
            squaredDeviations = 0
            return
        }
        let mean = values.reduce(0, +) / Double(count)
        var deviations = 0.0
        var residual = 0.0
        for value in values {
            deviations += (value - mean) * (value - mean)
            residual += value - mean
        }
        self.mean = mean
        // The corrected two-pass formula: the residual removes the rounding left in the mean.
        squaredDeviations = max(0, deviations - residual * residual / Double(count))
    }

    /// A summary from its figures, e.g. as stored with a report: `variance` is the sample
    /// variance (ddof 1), ignored when `count` < 2.
    package init(count: Int, mean: Double, variance: Double) {
        precondition(count >= 0, "a negative count")
        self.count = count
        self.mean = count > 0 ? mean : 0
        squaredDeviations = count > 1 ? max(0, variance) * Double(count - 1) : 0
    }

    /// The sample variance (ddof 1); 0 under two values.
    package var variance: Double {
        count > 1 ? squaredDeviations / Double(count - 1) : 0
    }

    /// The sample standard deviation (ddof 1); 0 under two values.
    package var standardDeviation: Double { variance.squareRoot() }

    /// The sum of the values.
    package var sum: Double { mean * Double(count) }

    /// This summary with one more value (Welford's update).
    package func adding(_ value: Double) -> KPISummary {
        var summary = self
        summary.add(value)
        return summary
    }

    /// Adds one value (Welford's update).
    package mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (value - mean)
    }

    /// The summary of both summaries' values together (Chan, Golub and LeVeque's merge).
    package func combined(with other: KPISummary) -> KPISummary {
        if other.count == 0 { return self }
        if count == 0 { return other }
        let total = count + other.count
        let delta = other.mean - mean
        var summary = KPISummary()
        summary.count = total
        summary.mean = mean + delta * Double(other.count) / Double(total)
        summary.squaredDeviations = squaredDeviations + other.squaredDeviations
            + delta * delta * Double(count) * Double(other.count) / Double(total)
        return summary
    }
}
