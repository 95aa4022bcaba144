#if canImport(Glibc)
import Glibc
#endif

/// SciPy's `distance.jensenshannon` (natural log) of Evidently's binned shares, empty bins
/// left empty: √((KL(p‖m) + KL(q‖m))/2) with m the mean of p and q, each renormalised to 1.
enum JensenShannonDistance {
    static func distance(_ shares: BinnedShares) -> Double {
        let pTotal = shares.reference.reduce(0, +)
        let qTotal = shares.current.reduce(0, +)
        var left = 0.0
        var right = 0.0
        for (reference, current) in zip(shares.reference, shares.current) {
            let p = reference / pTotal
            let q = current / qTotal
            let m = (p + q) / 2
            left += relativeEntropy(p, m)
            right += relativeEntropy(q, m)
        }
        return ((left + right) / 2).squareRoot()
    }

    /// SciPy's `rel_entr`: x·log(x/y), 0 when x = 0.
    private static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        x > 0 && y > 0 ? x * log(x / y) : (x == 0 && y >= 0 ? 0 : .infinity)
    }
}
