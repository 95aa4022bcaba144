/// Evidently's two-proportion z-test: the share of values other than the smallest category
/// (in sorted order) in each sample, pooled variance, two-sided p = 2(1 − Φ(|z|)) computed as
/// SciPy does. Both samples holding the same single value give p = 1.
enum ProportionZTest {
    static func pValue(reference: CategoryCounts, current: CategoryCounts) -> Double {
        let categories = Set(reference.counts.keys).union(current.counts.keys)
        guard categories.count > 1, let first = categories.min() else { return 1 }
        let n1 = Double(reference.total)
        let n2 = Double(current.total)
        let p1 = Double(reference.total - reference.count(of: first)) / n1
        let p2 = Double(current.total - current.count(of: first)) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return 2 * (1 - SpecialFunctions.normalCDF(abs(z)))
    }
}
