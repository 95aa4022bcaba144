import Foundation
import Testing
@testable import SextantML

/// Why the sequential decision uses the confidence sequence (DESIGN §10): A/A experiments —
/// both arms drawn from one distribution, so any "difference" found is a false positive —
/// looked at after every analysis interval. The fixed-horizon test, looked at that often,
/// finds a difference far more often than alpha; the confidence sequence keeps it at alpha.
/// Deterministic: SplitMix64 with fixed seeds drives every draw.
@Suite struct AASimulationTests {
    static let experiments = 1000
    static let looks = 50
    /// New values per arm between two looks: the last look sees 2,000 per arm.
    static let perLook = 40
    static let alpha = 0.05

    struct Rates: CustomStringConvertible {
        var fixedHorizon: Double
        var sequential: Double
        var description: String {
            "fixed horizon \(String(format: "%.3f", fixedHorizon)), confidence sequence \(String(format: "%.3f", sequential))"
        }
    }

    /// A uniform draw in (0, 1]: 53 random bits, never 0 (so its logarithm is finite).
    static func uniform(_ generator: inout SplitMix64) -> Double {
        (Double(generator.next() >> 11) + 1) * 0x1p-53
    }

    /// One KPI value: a conversion with probability 0.1, or a standard normal (Box–Muller's
    /// cosine half; the sine half is not needed).
    static func draw(_ kind: KPIValueKind, _ generator: inout SplitMix64) -> Double {
        switch kind {
        case .proportion:
            return uniform(&generator) < 0.1 ? 1 : 0
        case .mean:
            let radius = (-2 * log(uniform(&generator))).squareRoot()
            return radius * cos(2 * Double.pi * uniform(&generator))
        }
    }

    /// The share of A/A experiments in which any look's interval excluded 0, per method. Each
    /// arm's summary grows by Welford's update as values arrive; no look recomputes from values.
    static func falsePositiveRates(_ kind: KPIValueKind, seed: UInt64) -> Rates {
        var generator = SplitMix64(seed: seed)
        var fixedHits = 0
        var sequentialHits = 0
        for _ in 0..<experiments {
            var candidate = KPISummary()
            var stable = KPISummary()
            var fixedFound = false
            var sequentialFound = false
            for _ in 0..<looks {
                for _ in 0..<perLook {
                    candidate.add(draw(kind, &generator))
                    stable.add(draw(kind, &generator))
                }
                if !fixedFound, FixedHorizonTest.compare(kind: kind, candidate: candidate, stable: stable, alpha: alpha)?.excludesZero == true {
                    fixedFound = true
                }
                if !sequentialFound, ConfidenceSequence.compare(kind: kind, candidate: candidate, stable: stable, alpha: alpha)?.excludesZero == true {
                    sequentialFound = true
                }
            }
            if fixedFound { fixedHits += 1 }
            if sequentialFound { sequentialHits += 1 }
        }
        return Rates(fixedHorizon: Double(fixedHits) / Double(experiments), sequential: Double(sequentialHits) / Double(experiments))
    }

    @Test("1,000 A/A experiments looked at 50 times: the confidence sequence keeps false positives at alpha, the fixed-horizon test does not",
          arguments: [(KPIValueKind.mean, UInt64(2310)), (.proportion, 2311)])
    func falsePositives(_ kind: KPIValueKind, seed: UInt64) {
        let rates = Self.falsePositiveRates(kind, seed: seed)
        print("A/A \(kind), \(Self.experiments) experiments × \(Self.looks) looks of \(Self.perLook) more values per arm, α \(Self.alpha): \(rates)")
        let simulationError = (Self.alpha * (1 - Self.alpha) / Double(Self.experiments)).squareRoot()
        #expect(rates.sequential <= Self.alpha + 3 * simulationError, "\(kind): \(rates)")
        #expect(rates.fixedHorizon > 2 * Self.alpha, "\(kind): \(rates)")
    }
}
