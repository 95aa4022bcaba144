import Foundation
import Testing
@testable import SextantML

/// KPISummary, the fixed-horizon tests and the confidence sequence on the cases a running
/// experiment meets: too few values, no spread, all-0 or all-1 outcomes, which way the
/// difference points; and the distribution functions they rest on against closed forms.
@Suite struct ExperimentStatisticsTests {
    static let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]

    @Test("a summary has the count, mean and sample variance (ddof 1) of its values")
    func summary() {
        let summary = KPISummary(Self.values)
        #expect(summary.count == 8)
        #expect(summary.mean == 5)
        #expect(abs(summary.variance - 32.0 / 7) < 1e-15)
        #expect(abs(summary.standardDeviation - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(summary.sum == 40)
    }

    @Test("no values and one value have variance 0")
    func tiny() {
        #expect(KPISummary([]).count == 0)
        #expect(KPISummary([]).mean == 0)
        #expect(KPISummary([]).variance == 0)
        #expect(KPISummary([3.5]).mean == 3.5)
        #expect(KPISummary([3.5]).variance == 0)
    }

    @Test("combining summaries, or adding values one by one, gives the summary of all values", arguments: [0, 1, 3, 7, 8])
    func combine(at split: Int) {
        let whole = KPISummary(Self.values)
        let combined = KPISummary(Self.values[..<split]).combined(with: KPISummary(Self.values[split...]))
        #expect(combined.count == whole.count)
        #expect(abs(combined.mean - whole.mean) < 1e-14)
        #expect(abs(combined.variance - whole.variance) < 1e-14)
        var running = KPISummary(Self.values[..<split])
        for value in Self.values[split...] { running.add(value) }
        #expect(running.count == whole.count)
        #expect(abs(running.mean - whole.mean) < 1e-14)
        #expect(abs(running.variance - whole.variance) < 1e-14)
    }

    @Test("a summary made from stored figures keeps them")
    func figures() {
        let summary = KPISummary(count: 8, mean: 5, variance: 32.0 / 7)
        #expect(summary.count == 8)
        #expect(summary.mean == 5)
        #expect(abs(summary.variance - 32.0 / 7) < 1e-15)
        #expect(KPISummary(count: 1, mean: 2, variance: 9).variance == 0)
    }

    @Test("the summary of values around a large mean keeps its variance")
    func offset() {
        let shifted = Self.values.map { $0 + 1e9 }
        #expect(abs(KPISummary(shifted).variance - 32.0 / 7) < 1e-6)
        var running = KPISummary()
        for value in shifted { running.add(value) }
        #expect(abs(running.variance - 32.0 / 7) < 1e-6)
    }

    struct TooFew: Sendable, CustomTestStringConvertible {
        var kind: KPIValueKind
        var candidate: [Double]
        var stable: [Double]
        var testDescription: String { "\(kind): \(candidate.count) and \(stable.count) values" }
    }

    @Test("an arm with fewer than two values leaves both comparisons undefined", arguments: [
        TooFew(kind: .mean, candidate: [], stable: [1, 2, 3]),
        TooFew(kind: .mean, candidate: [1], stable: [1, 2, 3]),
        TooFew(kind: .mean, candidate: [1, 2, 3], stable: [4]),
        TooFew(kind: .proportion, candidate: [1], stable: [0, 1, 0]),
        TooFew(kind: .proportion, candidate: [0, 1, 1], stable: []),
    ])
    func tooFew(_ item: TooFew) {
        #expect(FixedHorizonTest.compare(kind: item.kind, candidate: item.candidate, stable: item.stable, alpha: 0.05) == nil)
        #expect(ConfidenceSequence.compare(kind: item.kind, candidate: item.candidate, stable: item.stable, alpha: 0.05) == nil)
    }

    @Test("two values per arm are enough for both comparisons", arguments: KPIValueKind.allCases)
    func two(_ kind: KPIValueKind) {
        #expect(FixedHorizonTest.compare(kind: kind, candidate: [1, 0], stable: [0, 0], alpha: 0.05) != nil)
        #expect(ConfidenceSequence.compare(kind: kind, candidate: [1, 0], stable: [1, 0], alpha: 0.05) != nil)
    }

    struct NoSpread: Sendable, CustomTestStringConvertible {
        var name: String
        var kind: KPIValueKind
        var candidate: [Double]
        var stable: [Double]
        var fixedDefined: Bool
        var sequentialDefined: Bool
        var testDescription: String { name }
    }

    @Test("arms without spread: undefined where the standard error is 0", arguments: [
        NoSpread(name: "mean, both arms the same constant", kind: .mean, candidate: [3, 3, 3], stable: [3, 3], fixedDefined: false, sequentialDefined: false),
        NoSpread(name: "mean, two different constants", kind: .mean, candidate: [4, 4, 4], stable: [3, 3], fixedDefined: false, sequentialDefined: false),
        NoSpread(name: "mean, one arm constant", kind: .mean, candidate: [4, 5, 6], stable: [3, 3], fixedDefined: true, sequentialDefined: true),
        NoSpread(name: "proportion, all 0", kind: .proportion, candidate: [0, 0, 0], stable: [0, 0], fixedDefined: false, sequentialDefined: false),
        NoSpread(name: "proportion, all 1", kind: .proportion, candidate: [1, 1], stable: [1, 1, 1], fixedDefined: false, sequentialDefined: false),
        // Pooled, p = 0.6 overall: the z test is defined; gbstats' unpooled variance is 0.
        NoSpread(name: "proportion, all 1 against all 0", kind: .proportion, candidate: [1, 1, 1], stable: [0, 0], fixedDefined: true, sequentialDefined: false),
        NoSpread(name: "proportion, one arm all 0", kind: .proportion, candidate: [0, 1, 0, 0], stable: [0, 0], fixedDefined: true, sequentialDefined: true),
    ])
    func noSpread(_ item: NoSpread) {
        let fixed = FixedHorizonTest.compare(kind: item.kind, candidate: item.candidate, stable: item.stable, alpha: 0.05)
        let sequential = ConfidenceSequence.compare(kind: item.kind, candidate: item.candidate, stable: item.stable, alpha: 0.05)
        #expect((fixed != nil) == item.fixedDefined)
        #expect((sequential != nil) == item.sequentialDefined)
        for comparison in [fixed, sequential].compactMap(\.self) {
            #expect(comparison.standardError > 0)
            #expect(comparison.pValue.isFinite && comparison.pValue >= 0 && comparison.pValue <= 1)
            #expect(comparison.interval.lower.isFinite && comparison.interval.upper.isFinite)
        }
    }

    @Test("one constant arm: Welch's degrees of freedom are the other arm's n − 1")
    func oneConstantArm() throws {
        let comparison = try #require(FixedHorizonTest.compare(kind: .mean, candidate: [4, 5, 6, 9], stable: [3, 3, 3], alpha: 0.05))
        #expect(abs(try #require(comparison.degreesOfFreedom) - 3) < 1e-12)
    }

    static let clearLift: [Double] = (0..<400).map { 10 + Double($0 % 5) }
    static let base: [Double] = (0..<400).map { 8 + Double($0 % 5) }
    static let clearConversions: [Double] = (0..<400).map { $0 % 5 < 2 ? 1 : 0 }  // 40%
    static let baseConversions: [Double] = (0..<400).map { $0 % 4 == 0 ? 1 : 0 }  // 25%

    @Test("the difference is candidate − stable: a better candidate is above 0, swapping the arms mirrors everything", arguments: KPIValueKind.allCases)
    func direction(_ kind: KPIValueKind) throws {
        let (better, worse) = kind == .mean ? (Self.clearLift, Self.base) : (Self.clearConversions, Self.baseConversions)
        for sequential in [false, true] {
            func compare(_ candidate: [Double], _ stable: [Double]) -> KPIComparison? {
                sequential ? ConfidenceSequence.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.05)
                    : FixedHorizonTest.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.05)
            }
            let up = try #require(compare(better, worse))
            let down = try #require(compare(worse, better))
            #expect(up.difference > 0)
            #expect(up.statistic > 0)
            #expect(up.interval.lower > 0, "\(kind) sequential \(sequential): a clear lift excludes 0 from above")
            #expect(down.difference == -up.difference)
            #expect(down.statistic == -up.statistic)
            #expect(abs(down.interval.lower + up.interval.upper) < 1e-12)
            #expect(abs(down.interval.upper + up.interval.lower) < 1e-12)
            #expect(down.interval.upper < 0)
            #expect(abs(down.pValue - up.pValue) < 1e-15)
        }
    }

    @Test("the interval excludes 0 exactly when the p-value is below alpha", arguments: KPIValueKind.allCases, [0.05, 0.1])
    func agreement(_ kind: KPIValueKind, alpha: Double) {
        var generator = SplitMix64(seed: 7)
        var decided = 0
        for trial in 0..<300 {
            let lift = Double(trial % 10) * 0.02
            let count = 20 + trial % 50
            let candidate = (0..<count).map { _ in Self.draw(kind, lift: lift, &generator) }
            let stable = (0..<count + 5).map { _ in Self.draw(kind, lift: 0, &generator) }
            for comparison in [FixedHorizonTest.compare(kind: kind, candidate: candidate, stable: stable, alpha: alpha),
                               ConfidenceSequence.compare(kind: kind, candidate: candidate, stable: stable, alpha: alpha)] {
                guard let comparison else { continue }
                // Ties within rounding are left out: p exactly at alpha is an interval touching 0.
                if abs(comparison.pValue - alpha) < 1e-9 { continue }
                #expect(comparison.excludesZero == (comparison.pValue < alpha), "trial \(trial): p \(comparison.pValue), \(comparison.interval)")
                if comparison.excludesZero { decided += 1 }
            }
        }
        #expect(decided > 20, "the table holds cases on both sides")
    }

    static func draw(_ kind: KPIValueKind, lift: Double, _ generator: inout SplitMix64) -> Double {
        let u = Double(generator.next() >> 11) * 0x1p-53
        return kind == .proportion ? (u < 0.3 + lift ? 1 : 0) : u + lift * 2
    }

    @Test("a smaller alpha gives a wider interval; the confidence sequence is wider than the fixed-horizon interval", arguments: KPIValueKind.allCases)
    func widths(_ kind: KPIValueKind) throws {
        let (candidate, stable) = kind == .mean ? (Self.clearLift, Self.base) : (Self.clearConversions, Self.baseConversions)
        let fixed05 = try #require(FixedHorizonTest.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.05))
        let fixed10 = try #require(FixedHorizonTest.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.1))
        let sequential05 = try #require(ConfidenceSequence.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.05))
        let sequential10 = try #require(ConfidenceSequence.compare(kind: kind, candidate: candidate, stable: stable, alpha: 0.1))
        #expect(fixed05.interval.width > fixed10.interval.width)
        #expect(sequential05.interval.width > sequential10.interval.width)
        #expect(sequential05.interval.width > fixed05.interval.width)
        #expect(fixed05.pValue == fixed10.pValue)
    }

    @Test("the confidence sequence's half-width follows GrowthBook's formula and shrinks as values arrive")
    func sequenceWidth() {
        // Since N²ρ² = N(c − 1) with c = Nρ² + 1, the half-width is √(V · 2c ln(√c/α) / (c − 1)).
        let alpha = 0.05
        let rhoSquared = (-2 * log(alpha) + log(1 - 2 * log(alpha))) / 5000
        for count in [5000.0, 200, 40_000] {
            let c = count * rhoSquared + 1
            let variance = 3 / count
            let expected = (variance * 2 * c * log(c.squareRoot() / alpha) / (c - 1)).squareRoot()
            let width = ConfidenceSequence.halfWidth(variance: variance, count: count, alpha: alpha)
            #expect(abs(width - expected) <= 1e-14 * expected, "N \(count)")
        }
        var previous = Double.infinity
        for count in stride(from: 100.0, through: 100_000, by: 900) {
            // V falls as 1/N when the arms grow together.
            let width = ConfidenceSequence.halfWidth(variance: 2 / count, count: count, alpha: alpha)
            #expect(width < previous)
            previous = width
        }
    }

    struct Quantile: Sendable {
        var p: Double
        var degrees: Double
        var expected: Double
    }

    @Test("Student t and normal quantiles and tails equal their closed forms", arguments: [
        // ν = 1 (Cauchy): tan(π(p − ½)); ν = 2: (2p − 1)/√(2p(1 − p)); ν = ∞ approached by the normal.
        Quantile(p: 0.975, degrees: 1, expected: tan(Double.pi * 0.475)),
        Quantile(p: 0.95, degrees: 1, expected: tan(Double.pi * 0.45)),
        Quantile(p: 0.9999, degrees: 1, expected: tan(Double.pi * 0.4999)),
        Quantile(p: 0.025, degrees: 1, expected: -tan(Double.pi * 0.475)),
        Quantile(p: 0.975, degrees: 2, expected: 0.95 / (2 * 0.975 * 0.025).squareRoot()),
        Quantile(p: 0.95, degrees: 2, expected: 0.9 / (2 * 0.95 * 0.05).squareRoot()),
        Quantile(p: 0.6, degrees: 2, expected: 0.2 / (2 * 0.6 * 0.4).squareRoot()),
        Quantile(p: 1e-20, degrees: 2, expected: (2e-20 - 1) / (2e-20 * (1 - 1e-20)).squareRoot()),
    ])
    func tQuantile(_ item: Quantile) {
        let quantile = SpecialFunctions.studentTQuantile(item.p, degrees: item.degrees)
        #expect(abs(quantile - item.expected) <= 1e-12 * max(1, abs(item.expected)), "\(quantile) vs \(item.expected)")
        let tail = SpecialFunctions.studentTSurvival(item.expected, degrees: item.degrees)
        #expect(abs(tail - (1 - item.p)) <= 1e-13, "\(tail) vs \(1 - item.p)")
    }

    @Test("the normal quantile inverts the normal tail and gives the textbook 1.96")
    func normalQuantile() {
        #expect(abs(SpecialFunctions.normalQuantile(0.975) - 1.959963984540054) < 1e-15)
        #expect(abs(SpecialFunctions.normalQuantile(0.95) - 1.6448536269514722) < 1e-15)
        #expect(SpecialFunctions.normalQuantile(0.5) == 0)
        for p in [1e-300, 1e-20, 1e-8, 0.001, 0.1, 0.3, 0.4999] {
            let x = SpecialFunctions.normalQuantile(p)
            #expect(x < 0)
            #expect(abs(SpecialFunctions.normalSurvival(-x) - p) <= 1e-12 * p, "p \(p)")
            if p > 1e-15 {  // 1 − p still differs from 1
                #expect(abs(SpecialFunctions.normalQuantile(1 - p) + x) <= 1e-7 * abs(x))
            }
        }
    }

    @Test("with a million degrees of freedom the t tail and quantile still equal SciPy's to 1e-10")
    func manyDegrees() {
        // SciPy 1.17.1: t.ppf(0.975, 1e6), t.sf(2, 1e6). The continued fraction's error grows
        // about as ν × 2e-17 (docs/experiments.md): 2e-11 here, far from the normal's 2.4e-6.
        let quantile = SpecialFunctions.studentTQuantile(0.975, degrees: 1e6)
        #expect(abs(quantile - 1.959966356814107) <= 1e-10 * 1.959966356814107, "\(quantile)")
        #expect(abs(quantile - SpecialFunctions.normalQuantile(0.975)) > 1e-6)
        let tail = SpecialFunctions.studentTSurvival(2, degrees: 1e6)
        #expect(abs(tail - 0.02275026692565962) <= 1e-10 * 0.02275026692565962, "\(tail)")
    }
}
