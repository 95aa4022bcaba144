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
        let none = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: nil, rows: Self.rows(300), hashed: [], at: Self.now)
        #expect(none.datasetDrift == nil && none.reason?.hasPrefix("v2 has no reference sample") == true, "\(none)")
        let few = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                          rows: Self.rows(99) + Self.rows(300, revision: 1), hashed: [], at: Self.now)
        #expect(few.datasetDrift == nil && few.current.rows == 99, "rows of r1 (not serving) do not count: \(few)")
        #expect(few.reason == "99 logged rows of r2, r3 so far; a verdict needs at least 100")
    }

    @Test("the same distribution: no drift; amount ×5 and the regions swapped for one: both drift, the prediction compared")
    func verdicts() throws {
        let calm = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                           rows: Self.rows(200), hashed: [], at: Self.now)
        #expect(calm.datasetDrift == false && calm.features.map(\.name) == ["amount", "region"] && calm.current.rows == 200, "\(calm)")
        #expect(calm.prediction?.name == "predict" && calm.prediction?.drifted == false, "\(calm)")
        #expect(calm.reference.rows == 400 && calm.current.from == Self.now && calm.current.until == Self.now.addingTimeInterval(199))

        let shifted = DriftComputation.report(model: "fraud", query: Self.query, task: .binaryClassification, reference: Self.reference,
                                              rows: Self.rows(200, amount: { Double($0 % 50) * 5 }, region: { _ in "apac" }), hashed: [], at: Self.now)
        #expect(shifted.datasetDrift == true && shifted.driftedFeatures == ["amount", "region"], "\(shifted)")
        let region = try #require(shifted.features.last)
        #expect(region.kind == "categorical" && region.method == "chiSquare" && region.drifted, "\(region)")
    }

    static func classified(_ name: String, _ type: LogicalType) -> FeatureColumn {
        FeatureColumn(name: name, logicalType: type, privacy: ClassifiedFeature(column: name, classification: "confidential", reason: "needed"))
    }

    /// 150 logged rows of r2 with `values(index)` as their features.
    static func hashedRows(_ values: (Int) -> [RowValue]) -> [PredictionRow] {
        (0..<150).map { index in
            PredictionRow(requestId: "r\(index)", row: 0, time: now, revision: 2, version: 2,
                          values: DecodedRow(features: values(index), predict: .boolean(false)))
        }
    }

    @Test("a classified text feature compares its hashes as categories: the same hashed values do not drift, new ones do")
    func classifiedText() throws {
        let query = DriftQuery(version: 2, modelDirectory: "models/fraud/v2", revisions: [2], features: [Self.classified("region", .string)], spec: nil)
        let hashes = ["hmac:0a", "hmac:0b", "hmac:0c"]
        let reference = ReferenceSample(rows: 300, columns: ["region": (0..<300).map { hashes[$0 % 3] }], predictions: nil)
        let calm = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                           rows: Self.hashedRows { [.string(hashes[$0 % 3])] }, hashed: ["region"], at: Self.now)
        let feature = try #require(calm.features.first)
        #expect(feature.kind == "categorical" && !feature.drifted && calm.datasetDrift == false && calm.notJudged == nil, "\(calm)")
        let moved = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                            rows: Self.hashedRows { _ in [.string("hmac:ff")] }, hashed: ["region"], at: Self.now)
        #expect(moved.features.first?.drifted == true, "\(moved)")
    }

    @Test("classified numbers and integers are not judged (every hashed amount is its own category): the dataset does not drift by them")
    func classifiedNumbers() throws {
        let query = DriftQuery(version: 2, modelDirectory: "models/fraud/v2", revisions: [2],
                               features: [FeatureColumn(name: "hour", logicalType: .integer), Self.classified("amount", .number), Self.classified("income", .integer)],
                               spec: nil)
        // Reference and current amounts from one distribution, but no hash repeats between them.
        let reference = ReferenceSample(rows: 300, columns: ["hour": (0..<300).map { String($0 % 24) }, "amount": (0..<300).map { "hmac:r\($0)" },
                                                             "income": (0..<300).map { "hmac:i\($0)" }], predictions: nil)
        let report = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                             rows: Self.hashedRows { [.number(Double($0 % 24)), .string("hmac:c\($0)"), .string("hmac:j\($0)")] },
                                             hashed: ["amount", "income"], at: Self.now)
        #expect(report.features.map(\.name) == ["hour"] && report.datasetDrift == false && report.driftedShare == 0, "\(report)")
        #expect(report.notJudged == [
            DriftReport.NotJudged(name: "amount", reason: "classified number: logged as keyed hashes, which keep no order or distance to compare numbers by"),
            DriftReport.NotJudged(name: "income", reason: "classified integer: logged as keyed hashes, which keep no order or distance to compare numbers by"),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(json.contains(#""notJudged":[{"name":"amount","reason":"classified number:"#), "\(json)")
    }

    @Test("a feature the log hashes and the reference does not (or the reverse) is not judged: its classification changed since training")
    func classificationChanged() throws {
        let query = DriftQuery(version: 2, modelDirectory: "models/fraud/v2", revisions: [2],
                               features: [FeatureColumn(name: "region", logicalType: .string), Self.classified("segment", .string)], spec: nil)
        let reference = ReferenceSample(rows: 300, columns: ["region": (0..<300).map { ["eu", "us"][$0 % 2] }, "segment": (0..<300).map { "hmac:\($0 % 2)" }],
                                        predictions: nil)
        let report = DriftComputation.report(model: "fraud", query: query, task: .binaryClassification, reference: reference,
                                             rows: Self.hashedRows { [.string("hmac:e\($0 % 2)"), .string(["gold", "basic"][$0 % 2])] },
                                             hashed: ["region"], at: Self.now)
        #expect(report.features.isEmpty && report.datasetDrift == false, "\(report)")
        #expect(report.notJudged?.map(\.reason) == [
            "the prediction log holds it as keyed hashes and v2's reference sample in clear: its classification changed, and the version trained for it compares",
            "the prediction log holds it in clear and v2's reference sample as keyed hashes: its classification changed, and the version trained for it compares",
        ])
    }
}
