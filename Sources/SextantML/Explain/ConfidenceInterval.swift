/// A percentile confidence interval of a metric.
package struct ConfidenceInterval: Sendable, Hashable {
    package var lower: Double
    package var upper: Double

    package init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    package func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    package var width: Double { upper - lower }
}
