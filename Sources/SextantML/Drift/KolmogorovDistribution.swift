#if canImport(Glibc)
import Glibc
#endif

/// The distribution of the one-sample two-sided Kolmogorov–Smirnov statistic Dₙ, SciPy's
/// `kstwo`, which `ks_2samp` uses beyond its exact limit.
enum KolmogorovDistribution {
    /// P(Dₙ ≥ x).
    static func survival(n: Int, x: Double) -> Double {
        // First implementation: the limiting distribution at √n·x.
        let z = Double(n).squareRoot() * x
        var sum = 0.0
        for k in 1...100 {
            let sign: Double = k % 2 == 1 ? 1 : -1
            sum += sign * exp(-2 * Double(k * k) * z * z)
        }
        return min(max(2 * sum, 0), 1)
    }
}
