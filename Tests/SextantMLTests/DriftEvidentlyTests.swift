import Foundation
import Testing
@testable import SextantML
import SextantTestSupport

/// Verdicts against Evidently 0.7.23 itself on scikit-learn's bundled datasets (wine, breast
/// cancer, diabetes, digits), split by one of their own features: data no one here generated.
/// scripts/golden/make-drift-evidently.py writes the columns and Evidently's verdicts.
@Suite struct DriftEvidentlyTests {
    struct File: Decodable {
        var datasets: [Dataset]
    }

    struct Dataset: Decodable {
        var name: String
        var columns: [Column]
        var evidently: Expected
    }

    struct Column: Decodable {
        var name: String
        var type: String
        var reference: [Double]
        var current: [Double]
    }

    struct Expected: Decodable {
        var features: [Feature]
        var driftedShare: Double
        var datasetDrift: Bool
    }

    struct Feature: Decodable {
        var name: String
        var kind: FeatureKind
        var method: DriftTest
        var statistic: Double
        var drifted: Bool
    }

    static let evidentlyPython = ProcessInfo.processInfo.environment["SEXTANT_EVIDENTLY_PYTHON"]

    /// Per feature: kind, method and verdict equal, statistic to relative 1e-6 (p-values) or
    /// 1e-9 (distances); the dataset's drifted share and verdict equal.
    static func compare(_ file: File) throws {
        #expect(file.datasets.count == 4)
        for dataset in file.datasets {
            let columns = try dataset.columns.map { column in
                DriftColumn(
                    name: column.name, type: try #require(ColumnType(rawValue: column.type)),
                    reference: .numbers(column.reference), current: .numbers(column.current)
                )
            }
            let result = DriftAnalysis.run(features: columns, prediction: nil, options: DriftOptions())
            #expect(result.features.map(\.name) == dataset.evidently.features.map(\.name), "\(dataset.name)")
            for (actual, expected) in zip(result.features, dataset.evidently.features) {
                let label = "\(dataset.name).\(expected.name)"
                #expect(actual.kind == expected.kind, "\(label)")
                #expect(actual.method == expected.method, "\(label)")
                #expect(DriftGoldenTests.matches(actual.statistic, expected.statistic, method: actual.method), "\(label): \(actual.statistic) vs Evidently \(expected.statistic)")
                #expect(actual.drifted == expected.drifted, "\(label)")
            }
            #expect(abs(result.driftedShare - dataset.evidently.driftedShare) < 1e-12, "\(dataset.name)")
            #expect(result.datasetDrift == dataset.evidently.datasetDrift, "\(dataset.name)")
        }
    }

    @Test("the committed Evidently verdicts on scikit-learn's datasets are reproduced")
    func committed() throws {
        try Self.compare(try Golden.load("drift-evidently.json"))
    }

    @Test(
        "Evidently, run now on scikit-learn's datasets, reaches the same verdicts",
        .enabled(if: evidentlyPython != nil, "needs SEXTANT_EVIDENTLY_PYTHON: a python with evidently 0.7.23, pandas<3 and scikit-learn (.ci/run installs them)")
    )
    func live() async throws {
        let directory = try TemporaryDirectory("sextant-drift-evidently")
        let output = directory.path + "/verdicts.json"
        let run = try await runProcess(
            try #require(Self.evidentlyPython),
            [packageRoot + "/scripts/golden/make-drift-evidently.py", output]
        )
        try #require(run.status == 0, "make-drift-evidently.py failed: \(run.stderr)")
        try Self.compare(try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: output))))
    }
}
