import Foundation
import Testing
@testable import SextantML

/// The rules around the statistics: kinds, the auto choice, cleaning, configured methods,
/// the dataset verdict and speed.
@Suite struct DriftAnalysisTests {
    static func numbers(_ name: String = "x", _ type: ColumnType = .number, _ reference: [Double?], _ current: [Double?]) -> DriftColumn {
        DriftColumn(name: name, type: type, reference: .numbers(reference), current: .numbers(current))
    }

    struct KindCase: Sendable, CustomTestStringConvertible {
        var type: ColumnType
        var current: [Double?]
        var kind: FeatureKind
        var testDescription: String { "\(type) with \(Set(current.compactMap { $0 }).count) values → \(kind)" }
    }

    @Test("a feature's kind follows its type as Evidently infers it", arguments: [
        KindCase(type: .number, current: [1, 2], kind: .numerical),
        KindCase(type: .integer, current: (0..<10).map(Double.init), kind: .categorical),
        KindCase(type: .integer, current: (0..<11).map(Double.init) + [nil], kind: .numerical),
        KindCase(type: .integer, current: (0..<10).map(Double.init) + [nil, .nan, .infinity], kind: .categorical),
        KindCase(type: .boolean, current: [0, 1], kind: .categorical),
        KindCase(type: .date, current: (0..<50).map(Double.init), kind: .categorical),
        KindCase(type: .timestamp, current: (0..<50).map(Double.init), kind: .categorical),
    ])
    func kind(_ item: KindCase) {
        #expect(DriftAnalysis.kind(of: Self.numbers("x", item.type, [1], item.current)) == item.kind)
    }

    @Test("text values are categorical whatever the type, and numbers meet text by canonical form")
    func textValues() {
        let column = DriftColumn(name: "x", type: .integer, reference: .numbers([1, 2, 2, 3]), current: .categories(["1", "2", "2", "3"]))
        #expect(DriftAnalysis.kind(of: column) == .categorical)
        let verdict = DriftAnalysis.feature(column, options: DriftOptions())
        #expect(verdict.method == .chiSquare)
        #expect(verdict.statistic == 1, "3.0 as category \"3\" meets \"3\": same shares, p = 1")
    }

    @Test("missing values, NaN and infinities are dropped before testing")
    func cleaning() {
        let clean = Self.numbers("x", .number, [1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8])
        let dirty = Self.numbers("x", .number, [1, nil, 2, 3, .nan, 4, 5, 6, 7], [2, 3, .infinity, 4, 5, -.infinity, 6, 7, 8, nil])
        #expect(DriftAnalysis.feature(clean, options: DriftOptions()) == DriftAnalysis.feature(dirty, options: DriftOptions()))
    }

    @Test("a side without values gives no test, said so, and not drifted")
    func empty() {
        let verdict = DriftAnalysis.feature(Self.numbers("x", .number, [1, 2, 3], [nil, .nan]), options: DriftOptions())
        #expect(verdict.drifted == false)
        #expect(verdict.note == "no current values: nothing to compare")
        #expect(verdict.statistic == 1)
    }

    @Test("a configured method is used where it fits the kind; the auto rule chooses elsewhere")
    func configured() {
        let numerical = Self.numbers("x", .number, (0..<50).map(Double.init), (5..<55).map(Double.init))
        let categorical = DriftColumn(name: "c", type: .string, reference: .categories(["a", "b", "c", "a"]), current: .categories(["a", "b", "b", "c"]))
        let psi = DriftOptions(method: .psi, threshold: 0.2)
        #expect(DriftAnalysis.feature(numerical, options: psi).method == .psi)
        #expect(DriftAnalysis.feature(numerical, options: psi).threshold == 0.2)
        #expect(DriftAnalysis.feature(categorical, options: psi).method == .psi)
        let ks = DriftOptions(method: .ks)
        #expect(DriftAnalysis.feature(numerical, options: ks).method == .ks)
        #expect(DriftAnalysis.feature(categorical, options: ks).method == .chiSquare)
        #expect(DriftAnalysis.feature(numerical, options: DriftOptions(method: .chiSquare)).method == .ks)
    }

    struct ComparisonCase: Sendable {
        var method: DriftTest
        var statistic: Double
        var drifted: Bool
    }

    @Test("at the threshold itself, KS and the distances drift, chi-square and z do not (Evidently's comparisons)", arguments: [
        ComparisonCase(method: .ks, statistic: 0.05, drifted: true),
        ComparisonCase(method: .chiSquare, statistic: 0.05, drifted: false),
        ComparisonCase(method: .zTest, statistic: 0.05, drifted: false),
        ComparisonCase(method: .wasserstein, statistic: 0.1, drifted: true),
        ComparisonCase(method: .jensenShannon, statistic: 0.1, drifted: true),
        ComparisonCase(method: .psi, statistic: 0.1, drifted: true),
        ComparisonCase(method: .ks, statistic: 0.0500001, drifted: false),
        ComparisonCase(method: .psi, statistic: 0.0999999, drifted: false),
    ])
    func threshold(_ item: ComparisonCase) {
        #expect(item.method.drifted(statistic: item.statistic, threshold: item.method.defaultThreshold) == item.drifted)
    }

    @Test("the dataset drifts when the drifted share reaches driftShare; the prediction does not count")
    func dataset() {
        let same = Self.numbers("same", .number, (0..<200).map(Double.init), (0..<200).map(Double.init))
        let moved = Self.numbers("moved", .number, (0..<200).map(Double.init), (100..<300).map(Double.init))
        let prediction = Self.numbers("predict", .number, (0..<200).map(Double.init), (150..<350).map(Double.init))
        let half = DriftAnalysis.run(features: [same, moved], prediction: prediction, options: DriftOptions())
        #expect(half.features.map(\.drifted) == [false, true])
        #expect(half.prediction?.drifted == true)
        #expect(half.driftedShare == 0.5)
        #expect(half.datasetDrift, "0.5 >= 0.5")
        let stricter = DriftAnalysis.run(features: [same, moved], prediction: prediction, options: DriftOptions(driftShare: 0.6))
        #expect(!stricter.datasetDrift)
        #expect(!DriftAnalysis.run(features: [], prediction: prediction, options: DriftOptions()).datasetDrift)
    }

    @Test("10,000 reference × 1,000 current rows × 30 features take well under a second in release")
    func speed() {
        var generator = SplitMix64(seed: 3)
        func sample(_ count: Int, shift: Double) -> [Double?] {
            (0..<count).map { _ in Double(generator.next() % 100_000) / 1000 + shift }
        }
        let columns = (0..<30).map { Self.numbers("f\($0)", .number, sample(10_000, shift: 0), sample(1_000, shift: Double($0) / 10)) }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let result = DriftAnalysis.run(features: columns, prediction: nil, options: DriftOptions())
            #expect(result.features.allSatisfy { $0.method == .wasserstein })
        }
        // Debug builds are several times slower than release; the bound is generous for them.
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }
}
