/// The two-sided two-sample Kolmogorov–Smirnov test as SciPy's `ks_2samp` computes it with
/// its default `method='auto'`: the exact distribution when both samples have at most 10,000
/// values, else the one-sample Kolmogorov distribution at n = round(n₁n₂/(n₁+n₂)).
enum KolmogorovSmirnov {
    /// SciPy's `MAX_AUTO_N`: larger samples use the asymptotic distribution.
    static let exactLimit = 10_000

    /// The p-value for two non-empty ascending samples.
    static func pValue(_ first: [Double], _ second: [Double]) -> Double {
        let n1 = first.count
        let n2 = second.count
        // D·n₁n₂ as an integer, and D as SciPy's floats give it (cdf₁ − cdf₂ at the extreme).
        var largest = 0
        var statistic = 0.0
        SortedSamples.forEachDistinct(first, second) { _, below1, below2 in
            let difference = abs(below1 * n2 - below2 * n1)
            if difference > largest {
                largest = difference
                statistic = abs(Double(below1) / Double(n1) - Double(below2) / Double(n2))
            }
        }
        let divisor = gcd(n1, n2)
        if max(n1, n2) <= exactLimit, let exact = exactPValue(n1, n2, gcd: divisor, h: largest / divisor) {
            return exact
        }
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
        return min(max(KolmogorovDistribution.survival(n: Int(effective), x: statistic), 0), 1)
    }

    /// P(D ≥ h/lcm(n₁, n₂)), or nil where the floating-point computation fails (SciPy then
    /// falls back to the asymptotic distribution).
    static func exactPValue(_ n1: Int, _ n2: Int, gcd: Int, h: Int) -> Double? {
        if h == 0 { return 1 }
        let probability = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideBand(n1, n2, gcd: gcd, h: h)
        guard probability.isFinite, probability >= 0, probability <= 1 else { return nil }
        return probability
    }

    /// Equal sizes: the share of lattice paths leaving the band |x − y| < h, from the
    /// alternating binomial sum evaluated Horner-like to avoid cancellation.
    private static func outsideSquare(n: Int, h: Int) -> Double {
        var result = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            result = term * (1 - result)
            k -= 1
        }
        return 2 * result
    }

    /// Unequal sizes: Hodges' inside method, with Viehmann's recursion that carries 1 − p
    /// directly (one sliding column of the lattice; m ≥ n).
    private static func outsideBand(_ first: Int, _ second: Int, gcd: Int, h: Int) -> Double {
        let m = max(first, second)
        let n = min(first, second)
        let mg = Double(m / gcd)
        let ng = n / gcd
        var low = 0
        var high = min(Int((Double(h) / mg).rounded(.up)), n + 1)
        var length = high - low
        var column = [Double](repeating: 1, count: min(2 * high + 2, n + 1))
        for index in 0..<high { column[index] = 0 }
        for i in 1...m {
            let previousLow = low
            let previousLength = length
            low = min(max(Int((Double(ng * i - h) / mg).rounded(.down)) + 1, 0), n)
            high = min(Int((Double(ng * i + h) / mg).rounded(.up)), n + 1)
            if high <= low { return 1 }
            var value = low == 0 ? 0.0 : 1.0
            for offset in 0..<(high - low) {
                let j = offset + low
                value = (column[offset + low - previousLow] * Double(i) + value * Double(j)) / Double(i + j)
                column[offset] = value
            }
            length = high - low
            if previousLength > length {
                for index in length..<min(previousLength, column.count) { column[index] = 1 }
            }
        }
        return column[high - low - 1]
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : gcd(b, a % b)
    }
}
