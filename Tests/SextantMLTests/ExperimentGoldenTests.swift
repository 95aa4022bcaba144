import Foundation
import Testing
@testable import SextantML
import SextantTestSupport

/// The experiment statistics (DESIGN §10) against their peers: SciPy's Welch test,
/// statsmodels' two-proportion z test and GrowthBook's gbstats confidence sequence.
/// scripts/golden/make-experiment-golden.py writes what they compute (its header says how);
/// Golden/experiment.json is its committed output.
@Suite struct ExperimentGoldenTests {
    struct File: Decodable {
        var versions: [String: String]
        var cases: [Case]
    }

    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var note: String
        var kind: String
        var alpha: Double
        var tuning: Double
        var candidate: [Double]
        var stable: [Double]
        /// nil where the peer answers NaN: the comparison is undefined.
        var fixed: Expected?
        var sequential: Expected?

        var testDescription: String { "\(name) (\(note))" }
    }

    struct Expected: Decodable {
        var difference: Double
        var standardError: Double
        var statistic: Double?
        var degreesOfFreedom: Double?
        var pValue: Double
        var interval: [Double]
    }

    static let file: File? = {
        do {
            return try Golden.load("experiment.json", as: File.self)
        } catch {
            Issue.record("Golden/experiment.json: \(error)")
            return nil
        }
    }()

    static var cases: [Case] { file?.cases ?? [] }

    static let peerPython = ProcessInfo.processInfo.environment["SEXTANT_SKLEARN_PYTHON"]

    /// Within 1e-9, relative above 1 and absolute below (Golden.close); p-values also to
    /// relative 1e-9, so a p-value far out in the tail is checked digit for digit too.
    static func check(_ actual: KPIComparison?, _ expected: Expected?, _ what: String) {
        guard let expected else {
            #expect(actual == nil, "\(what): the peer finds it undefined, Sextant gave \(String(describing: actual))")
            return
        }
        guard let actual else {
            Issue.record("\(what): undefined, but the peer computes it")
            return
        }
        #expect(Golden.close(actual.difference, expected.difference), "\(what) difference: \(actual.difference) vs \(expected.difference)")
        #expect(Golden.close(actual.standardError, expected.standardError), "\(what) standard error: \(actual.standardError) vs \(expected.standardError)")
        if let statistic = expected.statistic {
            #expect(Golden.close(actual.statistic, statistic), "\(what) statistic: \(actual.statistic) vs \(statistic)")
        }
        #expect(Golden.close(actual.degreesOfFreedom, expected.degreesOfFreedom), "\(what) df: \(String(describing: actual.degreesOfFreedom)) vs \(String(describing: expected.degreesOfFreedom))")
        #expect(Golden.close(actual.pValue, expected.pValue), "\(what) p-value: \(actual.pValue) vs \(expected.pValue)")
        #expect(abs(actual.pValue - expected.pValue) <= 1e-9 * expected.pValue, "\(what) p-value to relative 1e-9: \(actual.pValue) vs \(expected.pValue)")
        #expect(expected.interval.count == 2)
        #expect(Golden.close(actual.interval.lower, expected.interval.first), "\(what) lower bound: \(actual.interval.lower) vs \(expected.interval[0])")
        #expect(Golden.close(actual.interval.upper, expected.interval.last), "\(what) upper bound: \(actual.interval.upper) vs \(expected.interval[1])")
    }

    static func compare(_ item: Case) throws {
        let kind = try #require(KPIValueKind(rawValue: item.kind))
        let fixed = FixedHorizonTest.compare(kind: kind, candidate: item.candidate, stable: item.stable, alpha: item.alpha)
        check(fixed, item.fixed, "\(item.name) fixed horizon")
        let sequential = ConfidenceSequence.compare(kind: kind, candidate: item.candidate, stable: item.stable, alpha: item.alpha, tuning: item.tuning)
        check(sequential, item.sequential, "\(item.name) sequential")
    }

    @Test("the golden file covers both kinds, both alphas, small and large arms and undefined cases")
    func coverage() throws {
        let cases = Self.cases
        #expect(cases.count >= 20)
        for kind in KPIValueKind.allCases {
            let ofKind = cases.filter { $0.kind == kind.rawValue }
            #expect(Set(ofKind.map(\.alpha)) == [0.05, 0.1], "\(kind)")
            #expect(ofKind.contains { $0.candidate.count <= 10 }, "\(kind): a small arm")
            #expect(ofKind.contains { $0.candidate.count >= 3000 }, "\(kind): a large arm")
            #expect(ofKind.contains { $0.fixed == nil && $0.sequential == nil }, "\(kind): an undefined case")
            #expect(ofKind.contains { ($0.fixed?.pValue ?? 1) < 1e-10 }, "\(kind): a p-value far in the tail")
        }
        #expect(cases.contains { $0.tuning != ConfidenceSequence.defaultTuning })
    }

    @Test("fixed-horizon tests equal SciPy and statsmodels, the confidence sequence equals gbstats", arguments: cases)
    func golden(_ item: Case) throws {
        try Self.compare(item)
    }

    @Test(
        "SciPy, statsmodels and gbstats, run now, agree with the committed golden file's numbers",
        .enabled(if: peerPython != nil, "needs SEXTANT_SKLEARN_PYTHON: a python with numpy, scipy, statsmodels and gbstats")
    )
    func live() async throws {
        let directory = try TemporaryDirectory("sextant-experiment-golden")
        let output = directory.path + "/experiment.json"
        let run = try await runProcess(try #require(Self.peerPython), [packageRoot + "/scripts/golden/make-experiment-golden.py", output])
        try #require(run.status == 0, "make-experiment-golden.py failed: \(run.stderr)")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(file.cases.count == Self.cases.count)
        for item in file.cases {
            try Self.compare(item)
        }
    }
}
