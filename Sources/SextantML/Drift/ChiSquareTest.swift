/// Evidently's chi-square test: the current counts against the reference proportions scaled
/// to the current size, over the categories of both sides (SciPy `chisquare`, k − 1 degrees of
/// freedom). A category the reference never saw gets expected count 0, so the statistic is
/// infinite and the p-value 0, as in SciPy.
enum ChiSquareTest {
    static func pValue(reference: CategoryCounts, current: CategoryCounts) -> Double {
        let categories = Set(reference.counts.keys).union(current.counts.keys)
        // One category has no degree of freedom (SciPy gives NaN): no evidence of drift.
        guard categories.count > 1 else { return 1 }
        let scale = Double(current.total) / Double(reference.total)
        var statistic = 0.0
        for category in categories {
            let observed = Double(current.count(of: category))
            let expected = Double(reference.count(of: category)) * scale
            statistic += (observed - expected) * (observed - expected) / expected
        }
        return SpecialFunctions.chiSquareSurvival(statistic, degrees: categories.count - 1)
    }
}
