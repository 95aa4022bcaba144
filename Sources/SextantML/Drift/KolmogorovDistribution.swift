#if canImport(Glibc)
import Glibc
#endif

/// The distribution of the one-sample two-sided Kolmogorov–Smirnov statistic Dₙ, SciPy's
/// `kstwo`, which `ks_2samp` uses beyond its exact limit. The survival function follows the
/// choice of methods SciPy makes (Simard & L'Ecuyer 2011): Ruben–Gambino at the ends, twice
/// the one-sided Smirnov probability for large deviations, else 1 − the CDF from Durbin's
/// matrix (Marsaglia–Tsang–Wang), Pomeranz's recursion (n ≤ 140) or the Pelz–Good series.
enum KolmogorovDistribution {
    /// P(Dₙ ≥ x), clipped to [0, 1].
    static func survival(n: Int, x: Double) -> Double {
        min(max(unclippedSurvival(n: n, x: x), 0), 1)
    }

    private static func unclippedSurvival(n: Int, x: Double) -> Double {
        let size = Double(n)
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let t = size * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf = n <= 140
                ? (1...n).reduce(1.0) { $0 * (Double($1) * (1 / size) * (2 * t - 1)) }
                : exp(logFactorialOverPower(size) + size * log(2 * t - 1))
            return 1 - cdf
        }
        if t >= size - 1 { return 2 * pow(1 - x, size) }
        if x >= 0.5 { return 2 * smirnovSurvival(n: n, x: x) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return 1 - durbinMatrixCDF(n: n, d: x) }
            if nxSquared <= 4 { return 1 - pomeranzCDF(n: n, x: x) }
            return 2 * smirnovSurvival(n: n, x: x)
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return 2 * smirnovSurvival(n: n, x: x) }
        if n <= 100_000, size * pow(x, 1.5) <= 1.4 { return 1 - durbinMatrixCDF(n: n, d: x) }
        return 1 - pelzGoodCDF(n: n, x: x)
    }

    /// log(n!/nⁿ) by Stirling's series.
    private static func logFactorialOverPower(_ n: Double) -> Double {
        let coefficients = [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
            8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
            -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ]
        let r = 1 / n
        let series = coefficients.reduce(0.0) { $0 * (r / n) + $1 }
        return log(n) / 2 - n + log(2 * Double.pi) / 2 + r * series
    }

    /// The one-sided P(Dₙ⁺ ≥ x) by the Birnbaum–Tingey sum, whose terms are all positive:
    /// Σ_{j ≤ n(1−x)} C(n, j) x (x + j/n)^(j−1) (1 − x − j/n)^(n−j), each term in logs.
    static func smirnovSurvival(n: Int, x: Double) -> Double {
        let size = Double(n)
        var sign: Int32 = 0
        let logFactorialN = lgamma_r(size + 1, &sign)
        var sum = 0.0
        var j = 0
        while j <= n, size - size * x - Double(j) >= 0 {
            let rest = 1 - x - Double(j) / size
            if rest > 0 || j == n {
                let logChoose = logFactorialN - lgamma_r(Double(j) + 1, &sign) - lgamma_r(size - Double(j) + 1, &sign)
                let logPower = (Double(j) - 1) * log(x + Double(j) / size) + (j == n ? 0 : (size - Double(j)) * log(rest))
                sum += exp(logChoose + log(x) + logPower)
            }
            j += 1
        }
        return sum
    }

    private static let scale = 0x1p128
    private static let inverseScale = 0x1p-128

    /// Pr(Dₙ ≤ d) as the (k, k) entry of Durbin's matrix H to the n-th power, times n!/nⁿ,
    /// with the powers rescaled by 2¹²⁸ and the exponent kept aside.
    private static func durbinMatrixCDF(n: Int, d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        v[m - 1] = (1 + pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))) * factorial
        var matrix = Matrix(size: m)
        for i in 1..<m {
            for r in 0..<(m - i + 1) { matrix[i - 1 + r, i] = w[r] }
        }
        for r in 0..<m { matrix[r, 0] = v[r] }
        for c in 0..<m { matrix[m - 1, c] = v[m - 1 - c] }
        var power = Matrix.identity(m)
        var exponent = 0
        var matrixExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = power * matrix
                exponent += matrixExponent
            }
            matrix = matrix * matrix
            matrixExponent *= 2
            if abs(matrix[k - 1, k - 1]) > scale {
                matrix.scale(by: inverseScale)
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[k - 1, k - 1]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < inverseScale {
                p *= scale
                exponent -= 128
            }
        }
        return exponent == 0 ? p : scalbn(p, Int32(exponent))
    }

    /// Pr(Dₙ ≤ x) by Pomeranz's recursion over 2n + 2 rows of convolutions.
    private static func pomeranzCDF(n: Int, x: Double) -> Double {
        let t = Double(n) * x
        let whole = Int(t.rounded(.down))
        let fraction = t - Double(whole)
        let g = min(fraction, 1 - fraction)
        let ceilF = fraction > 0 ? 1 : 0
        let roundF = fraction > 0.5 ? 1 : 0
        let powers = 2 * (whole + 1)
        var gPower = [Double](repeating: 1, count: powers)
        var twoGPower = gPower
        var oneMinusTwoGPower = gPower
        for m in 1..<powers {
            gPower[m] = gPower[m - 1] * (g / Double(n)) / Double(m)
            twoGPower[m] = twoGPower[m - 1] * (2 * g / Double(n)) / Double(m)
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * ((1 - 2 * g) / Double(n)) / Double(m)
        }
        func bounds(_ i: Int) -> (Int, Int) {
            var j1: Int
            var j2: Int
            if i == 0 {
                (j1, j2) = (-whole - ceilF - 1, whole + ceilF - 1)
            } else {
                let half = (i + 1) / 2
                if (i + 1) % 2 == 0 {
                    if half == n + 1 {
                        (j1, j2) = (n - whole - ceilF - 1, n + whole + ceilF - 1)
                    } else {
                        (j1, j2) = (half - 1 - whole - roundF - 1, half + whole - 1 + ceilF - 1)
                    }
                } else {
                    (j1, j2) = (half - 1 - whole - 1, half + whole + roundF - 1)
                }
            }
            return (max(j1 + 2, 0), min(j2, n))
        }
        var v0 = [Double](repeating: 0, count: powers)
        var v1 = v0
        v1[0] = 1
        var v0Start = 0
        var v1Start = 0
        var exponent = 0
        var (j1, j2) = bounds(0)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0Start, &v1Start)
            for index in v1.indices { v1[index] = 0 }
            (j1, j2) = bounds(i)
            let factors = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let start = k1 - v0Start
            let source = Array(v0[start..<min(start + length, v0.count)])
            let kernel = Array(factors[0..<min(length, factors.count)])
            let offset = j1 - k1
            for index in 0..<(j2 - j1 + 1) {
                let position = offset + index
                var total = 0.0
                for a in max(0, position - kernel.count + 1)...min(position, source.count - 1) {
                    total += source[a] * kernel[position - a]
                }
                v1[index] = total
            }
            if let largest = v1.max(), largest > 0, largest < inverseScale {
                for index in v1.indices { v1[index] *= scale }
                exponent -= 128
            }
            v1Start = v0Start + j1 - k1
        }
        var answer = v1[n - v1Start]
        for m in 1...n {
            if abs(answer) > scale {
                answer *= inverseScale
                exponent += 128
            }
            answer *= Double(m)
        }
        return exponent == 0 ? answer : scalbn(answer, Int32(exponent))
    }

    /// Pr(Dₙ ≤ x) by the Pelz–Good approximation (Li-Chien/Korolyuk terms to n^(-3/2), in
    /// their Jacobi-theta form for small z = x√n).
    private static func pelzGoodCDF(n: Int, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi
        let pi4 = pi2 * pi2
        let pi6 = pi4 * pi2
        let z = Double(n).squareRoot() * x
        let z2 = z * z
        let z3 = z2 * z
        let z4 = z2 * z2
        let z6 = z4 * z2
        let qLog = -pi2 / 8 / z2
        if qLog < -708 { return 0 }
        var q = exp(qLog)
        let k1a = -z2
        let k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxK, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m
            let qPower = pow(q, Double(8 * k))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m2 * m2, k3a + k3b * m2 + k3c * m2 * m2 + k3d * m2 * m2 * m2]
            for index in 0..<4 { terms[index] = terms[index] * qPower + coefficients[index] }
        }
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for index in 0..<4 { terms[index] = terms[index] * q * (2 * Double.pi).squareRoot() / divisors[index] }
        q = exp(-pi2 / 2 / z2)
        var extra2 = 0.0
        var extra3 = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        for k in stride(from: maxK, to: 0, by: -1) {
            let k2 = Double(k * k)
            let qPower = pow(q, k2)
            extra2 += k2 * qPower
            let kPi = Double.pi * Double(k)
            extra3 += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qPower
        }
        terms[2] += extra2 * pi2 * (2 * Double.pi).squareRoot() / (-36 * z3)
        terms[3] += extra3 * pi2 * (2 * Double.pi).squareRoot() / (216 * z6)
        return (0..<4).reduce(0.0) { $0 + terms[$1] / pow(Double(n), Double($1) / 2) }
    }
}

/// A small dense square matrix (Durbin's method).
private struct Matrix {
    var size: Int
    var values: [Double]

    init(size: Int) {
        self.size = size
        values = [Double](repeating: 0, count: size * size)
    }

    static func identity(_ size: Int) -> Matrix {
        var matrix = Matrix(size: size)
        for i in 0..<size { matrix[i, i] = 1 }
        return matrix
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * size + column] }
        set { values[row * size + column] = newValue }
    }

    mutating func scale(by factor: Double) {
        for index in values.indices { values[index] *= factor }
    }

    static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        var product = Matrix(size: lhs.size)
        for i in 0..<lhs.size {
            for k in 0..<lhs.size where lhs[i, k] != 0 {
                let a = lhs[i, k]
                for j in 0..<lhs.size { product[i, j] += a * rhs[k, j] }
            }
        }
        return product
    }
}
