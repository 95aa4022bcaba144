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

    /// The upper tail 1 − Φ(x) of the standard normal, accurate far out (from erfc, with no
    /// subtraction from 1), as SciPy's `norm.sf`.
    static func normalSurvival(_ value: Double) -> Double {
        0.5 * erfc(value / 2.0.squareRoot())
    }

    /// The standard normal quantile Φ⁻¹(p) for 0 < p < 1, as SciPy's `norm.ppf`: Abramowitz and
    /// Stegun's rational start (26.2.23, error below 4.5e-4) polished by Halley steps on the
    /// tail the point lies in, so the answer is as good as erfc (a few ulp).
    static func normalQuantile(_ probability: Double) -> Double {
        precondition(probability > 0 && probability < 1, "a normal quantile needs 0 < p < 1")
        if probability == 0.5 { return 0 }
        // Work in the smaller tail, q = min(p, 1 − p), finding x > 0 with 1 − Φ(x) = q.
        let upper = probability > 0.5
        let tail = upper ? 1 - probability : probability
        let s = (-2 * log(tail)).squareRoot()
        var x = s - (2.515517 + 0.802853 * s + 0.010328 * s * s) / (1 + 1.432788 * s + 0.189269 * s * s + 0.001308 * s * s * s)
        for _ in 0..<8 {
            // Halley's step on g(x) = (1 − Φ(x)) − q, where g' = −φ(x) and g'' = x φ(x).
            let density = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            let error = normalSurvival(x) - tail
            let u = -error / density
            let step = u / (1 + 0.5 * x * u)
            x -= step
            if abs(step) <= 4 * Double.ulpOfOne * abs(x) { break }
        }
        return upper ? x : -x
    }

    /// Student's t survival function P(T ≥ t) with `degrees` (> 0, not necessarily whole)
    /// degrees of freedom, as SciPy's `t.sf`: ½ I_x(ν/2, ½) with x = ν/(ν + t²) for t ≥ 0.
    static func studentTSurvival(_ value: Double, degrees: Double) -> Double {
        if value.isNaN || degrees.isNaN { return .nan }
        if value == .infinity { return 0 }
        if value == -.infinity { return 1 }
        let square = value * value
        // x and 1 − x both computed directly: the one near 0 keeps its relative precision.
        let x = degrees / (degrees + square)
        let y = square / (degrees + square)
        let tail = 0.5 * regularizedIncompleteBeta(degrees / 2, 0.5, x: x, complement: y)
        return value >= 0 ? tail : 1 - tail
    }

    /// The density of Student's t with `degrees` degrees of freedom at `value`.
    static func studentTDensity(_ value: Double, degrees: Double) -> Double {
        let logNormaliser = logGammaIncrease(degrees / 2, by: 0.5) - 0.5 * log(degrees * Double.pi)
        return exp(logNormaliser - (degrees + 1) / 2 * log1p(value * value / degrees))
    }

    /// Student's t quantile: the t with P(T ≤ t) = `probability`, as SciPy's `t.ppf`. Newton's
    /// method on the tail the point lies in, from the Cornish–Fisher expansion around the
    /// normal quantile, kept inside a bracket that bisection falls back to when a step leaves
    /// it (the expansion is poor for one or two degrees of freedom).
    static func studentTQuantile(_ probability: Double, degrees: Double) -> Double {
        precondition(probability > 0 && probability < 1 && degrees > 0, "a t quantile needs 0 < p < 1 and ν > 0")
        if probability == 0.5 { return 0 }
        let upper = probability > 0.5
        let tail = upper ? 1 - probability : probability
        // Find t > 0 with P(T ≥ t) = tail.
        let z = -normalQuantile(tail)  // not of 1 − tail, which rounds to 1 for a tail below 1e-16
        let z2 = z * z
        let nu = degrees
        var t = z + z * (z2 + 1) / (4 * nu) + z * ((5 * z2 + 16) * z2 + 3) / (96 * nu * nu)
            + z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * nu * nu * nu)
        if !t.isFinite || t <= 0 { t = z }
        var low = 0.0
        var high = Double.infinity
        for _ in 0..<200 {
            let error = studentTSurvival(t, degrees: degrees) - tail
            if error == 0 { break }
            // The survival function falls as t grows: a positive error means t is too small.
            if error > 0 { low = t } else { high = t }
            var next = t + error / studentTDensity(t, degrees: degrees)
            if !(next > low && next < high) {
                next = high.isFinite ? (low + high) / 2 : max(2 * t, t + 1)
            }
            let step = next - t
            t = next
            if abs(step) <= 4 * Double.ulpOfOne * t { break }
        }
        return upper ? t : -t
    }

    /// The regularized incomplete beta function I_x(a, b) for a, b > 0, with `complement`
    /// = 1 − x given separately so a caller can hand over both without rounding either.
    /// The continued fraction (DLMF 8.17.22) evaluated by the modified Lentz method, on
    /// I_x(a, b) directly when x < (a + 1)/(a + b + 2), else on 1 − I_{1−x}(b, a), where it
    /// converges fast.
    static func regularizedIncompleteBeta(_ a: Double, _ b: Double, x: Double, complement y: Double) -> Double {
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        if x > (a + 1) / (a + b + 2) {
            return 1 - regularizedIncompleteBeta(b, a, x: y, complement: x)
        }
        // x^a (1 − x)^b / (a B(a, b)), the factor in front of the fraction. Each logarithm is
        // taken of whichever of x and 1 − x is the accurate one (the one below ½), so
        // a·ln x keeps its precision when a is large and x near 1.
        let logX = x < 0.5 ? log(x) : log1p(-y)
        let logY = y < 0.5 ? log(y) : log1p(-x)
        let prefactor = exp(a * logX + b * logY - logBeta(a, b)) / a
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        // 1/(1 + d1/(1 + d2/(1 + …))): d(2m+1) = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
        // d(2m) = m(b−m)x / ((a+2m−1)(a+2m)).
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        var m = 1.0
        while m < 100_000 {
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            fraction *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) <= Double.ulpOfOne { break }
            m += 1
        }
        return min(1, max(0, prefactor * fraction))
    }

    /// log Γ(x) for x > 0 (the sign is always +).
    static func lgammaValue(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). When one argument is large, the
    /// difference of its two large log-gammas is taken from Stirling's series instead of
    /// by subtraction (which loses ~log Γ(a) × 1e-16: 2e-6 at a = 5e8).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let (small, large) = a < b ? (a, b) : (b, a)
        return lgammaValue(small) - logGammaIncrease(large, by: small)
    }

    /// log Γ(z + b) − log Γ(z) for z, b > 0: Stirling's series for both when z ≥ 20, where the
    /// terms to 1/z⁷ leave an error under 2e-15, arranged so nothing large cancels; plain
    /// log-gammas below.
    static func logGammaIncrease(_ z: Double, by b: Double) -> Double {
        guard z >= 20 else { return lgammaValue(z + b) - lgammaValue(z) }
        // log Γ(z) = (z − ½) ln z − z + ½ ln 2π + c(z), c(z) = 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷).
        func correction(_ z: Double) -> Double {
            let inverse = 1 / z
            let square = inverse * inverse
            return inverse * (1.0 / 12 - square * (1.0 / 360 - square * (1.0 / 1260 - square / 1680)))
        }
        // (z + b − ½) ln(z + b) − (z − ½) ln z − b = (z − ½) ln(1 + b/z) + b ln(z + b) − b.
        return (z - 0.5) * log1p(b / z) + b * log(z + b) - b + correction(z + b) - correction(z)
    }
}
