/// Evidently's normed Wasserstein distance: SciPy's `wasserstein_distance` (the area between
/// the two empirical CDFs) divided by the reference's population standard deviation, floored
/// at 0.001 so a constant reference does not divide by zero.
enum WassersteinDistance {
    static let deviationFloor = 0.001

    /// For two non-empty ascending samples.
    static func normed(reference: [Double], current: [Double]) -> Double {
        distance(reference, current) / max(standardDeviation(reference), deviationFloor)
    }

    static func distance(_ first: [Double], _ second: [Double]) -> Double {
        let n1 = Double(first.count)
        let n2 = Double(second.count)
        var total = 0.0
        var previous: (value: Double, gap: Double)?
        SortedSamples.forEachDistinct(first, second) { value, below1, below2 in
            if let previous { total += previous.gap * (value - previous.value) }
            previous = (value, abs(Double(below1) / n1 - Double(below2) / n2))
        }
        return total
    }

    /// numpy's `std` (ddof 0), two-pass.
    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count)).squareRoot()
    }
}
