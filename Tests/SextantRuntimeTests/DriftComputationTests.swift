import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantMonitoring
@testable import SextantRuntime

/// The reference sample's rows, and a report from the reference and the logged rows.
@Suite struct DriftComputationTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("all training rows up to 10,000; else 10,000 chosen by the fingerprint, the same every time, in table order")
    func sampledRows() {
        #expect(ReferenceSample.sampledRows([4, 9, 2], fingerprint: "ab12") == [4, 9, 2])
        let many = Array(0..<25_000)
        let sample = ReferenceSample.sampledRows(many, fingerprint: "0123456789abcdef0123")
        #expect(sample.count == 10_000 && sample == sample.sorted() && Set(sample).count == 10_000)
        #expect(sample == ReferenceSample.sampledRows(many, fingerprint: "0123456789abcdef0123"))
        #expect(sample != ReferenceSample.sampledRows(many, fingerprint: "fedcba98765432100123"))
    }

    static let query = DriftQuery(version: 2, modelDirectory: "models/fraud/v2", revisions: [2, 3],
                                  features: [FeatureColumn(name: "amount", logicalType: .number), FeatureColumn(name: "region", logicalType: .string)],
                                  spec: nil)

    static func rows(_ count: Int, revision: Int = 2, amount: (Int) -> Double = { Double($0 % 50) }, region: (Int) -> String = { ["eu", "us"][$0 % 2] }) -> [PredictionRow] {
        (0..<count).map { index in
            PredictionRow(requestId: "r\(index)", row: 0, time: now.addingTimeInterval(Double(index)), revision: revision, version: 2,
                          values: DecodedRow(features: [.number(amount(index)), .string(region(index))], predict: .boolean(index % 3 == 0)))
        }
    }

    static let reference = ReferenceSample(
        rows: 400, columns: ["amount": (0..<400).map { String($0 % 50) }, "region": (0..<400).map { ["eu", "us"][$0 % 2] }],
        predictions: (0..<400).map { $0 % 3 == 0 ? "true" : "false" })

    @Test("no reference, or fewer than 100 rows of the serving revisions: no verdict, saying why")
    func noVerdict() {
        let none = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: nil, rows: Self.rows(300), at: Self.now)
        #expect(none.datasetDrift == nil && none.reason?.hasPrefix("v2 has no reference sample") == true, "\(none)")
        let few = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                          rows: Self.rows(99) + Self.rows(300, revision: 1), at: Self.now)
        #expect(few.datasetDrift == nil && few.current.rows == 99, "rows of r1 (not serving) do not count: \(few)")
        #expect(few.reason == "99 logged rows of r2, r3 so far; a verdict needs at least 100")
    }

    @Test("the same distribution: no drift; amount ×5 and the regions swapped for one: both drift, the prediction compared")
    func verdicts() throws {
        let calm = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                           rows: Self.rows(200), at: Self.now)
        #expect(calm.datasetDrift == false && calm.features.map(\.name) == ["amount", "region"] && calm.current.rows == 200, "\(calm)")
        #expect(calm.prediction?.name == "predict" && calm.prediction?.drifted == false, "\(calm)")
        #expect(calm.reference.rows == 400 && calm.current.from == Self.now && calm.current.until == Self.now.addingTimeInterval(199))

        let shifted = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                              rows: Self.rows(200, amount: { Double($0 % 50) * 5 }, region: { _ in "apac" }), at: Self.now)
        #expect(shifted.datasetDrift == true && shifted.driftedFeatures == ["amount", "region"], "\(shifted)")
        let region = try #require(shifted.features.last)
        #expect(region.kind == "categorical" && region.method == "chiSquare" && region.drifted, "\(region)")
    }

    @Test("a classified integer feature compares its hashes as categories: the same hashed values do not drift, new ones do")
    func classifiedFeature() throws {
        let query = DriftQuery(version: 2, modelDirectory: "models/fraud/v2", revisions: [2],
                               features: [FeatureColumn(name: "postcode", logicalType: .integer,
                                                              privacy: ClassifiedFeature(column: "postcode", classification: "confidential", reason: "area"))], spec: nil)
        let hashes = ["hmac:0a", "hmac:0b", "hmac:0c"]
        let reference = ReferenceSample(rows: 300, columns: ["postcode": (0..<300).map { hashes[$0 % 3] }], predictions: nil)
        func rows(_ value: (Int) -> String) -> [PredictionRow] {
            (0..<150).map { index in
                PredictionRow(requestId: "r\(index)", row: 0, time: Self.now, revision: 2, version: 2,
                              values: DecodedRow(features: [.string(value(index))], predict: .boolean(false)))
            }
        }
        let calm = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                           rows: rows { hashes[$0 % 3] }, at: Self.now)
        let feature = try #require(calm.features.first)
        #expect(feature.kind == "categorical" && !feature.drifted && calm.datasetDrift == false, "\(calm)")
        let moved = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                            rows: rows { _ in "hmac:ff" }, at: Self.now)
        #expect(moved.features.first?.drifted == true, "\(moved)")
    }
}
