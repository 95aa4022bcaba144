#if canImport(Glibc)
import Glibc
#endif

/// The distribution functions the p-value tests need, to double precision.
enum SpecialFunctions {
    /// The standard normal CDF, as SciPy's `ndtr`: from erf near 0, else from erfc (so the
    /// upper tail 1 − Φ(x) for large x is what SciPy's `1 - norm.cdf(x)` gives).
    static func normalCDF(_ value: Double) -> Double {
        let x = value / 2.0.squareRoot()
        let z = abs(x)
        if z < 1 / 2.0.squareRoot() { return 0.5 + 0.5 * erf(x) }
        let tail = 0.5 * erfc(z)
        return x > 0 ? 1 - tail : tail
    }

    /// The chi-square survival function P(X ≥ statistic) with `degrees` degrees of freedom.
    static func chiSquareSurvival(_ statistic: Double, degrees: Int) -> Double {
        regularizedUpperGamma(Double(degrees) / 2, statistic / 2)
    }

    /// Q(a, x) = Γ(a, x)/Γ(a) for a > 0: 1 − the power series of P(a, x) below x < a + 1,
    /// else the continued fraction of Q (modified Lentz), both to machine precision.
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        // x^a e^(-x) / Γ(a), the factor both expansions share.
        var sign: Int32 = 0
        let prefactor = exp(a * log(x) - x - lgamma_r(a, &sign))
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var denominator = a
            while abs(term) > abs(sum) * Double.ulpOfOne {
                denominator += 1
                term *= x / denominator
                sum += term
            }
            return max(0, 1 - sum * prefactor)
        }
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        var i = 1.0
        while true {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) <= Double.ulpOfOne || i > 10_000 { break }
            i += 1
        }
        return min(1, prefactor * fraction)
    }
}
