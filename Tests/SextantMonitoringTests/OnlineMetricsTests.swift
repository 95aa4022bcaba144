import Foundation
import SextantML
@testable import SextantMonitoring
import SextantTestSupport
import Testing

/// Online metrics against scikit-learn on fixed joined rows: Golden/online-metrics.json, made
/// by scripts/golden/make-online-golden.py.
@Suite struct OnlineMetricsGoldenTests {
    struct Row: Decodable {
        var requestId: String
        var row: Int
        var time: Double
        var revision: Int
        var predict: Scalar
        var proba: [Double]?
        var truth: Scalar?
    }

    /// A JSON scalar as the feedback and the answer carry it.
    enum Scalar: Decodable {
        case boolean(Bool), number(Double), text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .boolean(flag) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }

        var value: RowValue {
            switch self {
            case .boolean(let flag): .boolean(flag)
            case .number(let number): .number(number)
            case .text(let text): .string(text)
            }
        }
    }

    struct Expected: Decodable {
        var rows: Int
        var labelledRows: Int
        var windowRows: Int
        var correctRows: Int?
        var metrics: [String: Double]
    }

    struct Case: Decodable {
        var task: String
        var classes: [String]
        var window: Int
        var rows: [Row]
        var expected: [String: Expected]
    }

    static let directory = packageRoot + "/Tests/SextantMonitoringTests/Golden/"

    @Test("accuracy, precision, recall, F1, AUC, log loss, macro/weighted F1, RMSE, MAE, R² equal scikit-learn's to 1e-9",
          arguments: ["binary", "multiclass", "regression"])
    func golden(_ name: String) throws {
        let all = try JSONDecoder().decode([String: AnyCase].self, from: Data(contentsOf: URL(fileURLWithPath: Self.directory + "online-metrics.json")))
        let item = try #require(all[name]?.value)
        let task = try #require(ModelTask(rawValue: item.task))
        let signature = ModelSignature(features: ["x"], task: task, classes: item.classes)
        let predictions = item.rows.map { row in
            PredictionRow(requestId: row.requestId, row: row.row, time: Date(timeIntervalSince1970: row.time), revision: row.revision, version: 1,
                          values: DecodedRow(features: [.null], predict: row.predict.value, probabilities: row.proba))
        }
        // The truths arrive as feedback, an hour after each prediction.
        let feedback = item.rows.compactMap { row in
            row.truth.map { FeedbackItem(id: row.requestId, truth: .value($0.value), time: Date(timeIntervalSince1970: row.time + 3600)) }
        }
        let joined = FeedbackJoin(predictions: predictions, feedback: feedback)
        #expect(joined.problems.isEmpty)
        let online = OnlineMetrics.byRevision(joined.rows, signature: signature, window: item.window)
        #expect(online.map { String($0.revision) } == item.expected.keys.sorted())
        for metrics in online {
            let expected = try #require(item.expected[String(metrics.revision)])
            #expect(metrics.rows == expected.rows)
            #expect(metrics.labelledRows == expected.labelledRows)
            #expect(metrics.windowRows == expected.windowRows)
            #expect(metrics.correctRows == expected.correctRows)
            #expect(metrics.coverage == Double(expected.labelledRows) / Double(expected.rows))
            let computed = Dictionary(uniqueKeysWithValues: metrics.metrics.compactMap { metric in metric.value.map { (metric.name.rawValue, $0) } })
            for (metric, value) in expected.metrics {
                let actual = try #require(computed[metric], "\(name) r\(metrics.revision): \(metric) missing")
                #expect(abs(actual - value) <= 1e-9 * max(1, abs(value)), "\(name) r\(metrics.revision) \(metric): \(actual) vs scikit-learn \(value)")
            }
        }
    }

    /// A case, or the `versions` entry (nil).
    struct AnyCase: Decodable {
        var value: Case?
        init(from decoder: any Decoder) throws { value = try? Case(from: decoder) }
    }
}

@Suite struct OnlineMetricsTests {
    static let signature = ModelSignature(features: ["x"], task: .binaryClassification, classes: ["false", "true"])

    static func row(_ id: String, at seconds: Double, revision: Int = 1, predict: RowValue?, proba: [Double]?, truth: RowValue?) -> JoinedRow {
        JoinedRow(prediction: PredictionRow(requestId: id, row: 0, time: Date(timeIntervalSince1970: seconds), revision: revision, version: 1,
                                            values: DecodedRow(features: [.null], predict: predict, probabilities: proba)),
                  truth: truth)
    }

    @Test("the window takes the newest labelled rows; coverage counts every row")
    func window() {
        let rows = [Self.row("a", at: 1, predict: .boolean(true), proba: nil, truth: .boolean(false)),
                    Self.row("b", at: 3, predict: .boolean(true), proba: nil, truth: .boolean(true)),
                    Self.row("c", at: 2, predict: .boolean(false), proba: nil, truth: .boolean(false)),
                    Self.row("d", at: 4, predict: .boolean(false), proba: nil, truth: nil),
                    Self.row("e", at: 5, revision: 2, predict: .boolean(false), proba: nil, truth: .boolean(true))]
        let online = OnlineMetrics(revision: 1, rows: rows, signature: Self.signature, window: 2)
        #expect(online.rows == 4 && online.labelledRows == 3 && online.windowRows == 2)
        #expect(online.coverage == 0.75)
        #expect(online.correctRows == 2, "b and c; a is outside the window")
        #expect(online.metrics.first { $0.name == .accuracy }?.value == 1)
        #expect(online.metrics.first { $0.name == .auc }.map { $0.value == nil } == true, "no probabilities: no AUC")
    }

    @Test("a row answered with probabilities only gets the label they give, as in evaluation")
    func labelFromProbabilities() {
        let rows = [Self.row("a", at: 1, predict: nil, proba: [0.3, 0.7], truth: .boolean(true)),
                    Self.row("b", at: 2, predict: .boolean(true), proba: [0.6, 0.4], truth: .boolean(false))]
        let online = OnlineMetrics(revision: 1, rows: rows, signature: Self.signature, window: 10)
        #expect(online.correctRows == 1)
        #expect(online.metrics.first { $0.name == .auc }?.value == 1)
    }

    @Test("no labels: coverage 0, no metrics; no rows: no coverage")
    func empty() {
        let online = OnlineMetrics(revision: 1, rows: [Self.row("a", at: 1, predict: .boolean(true), proba: nil, truth: nil)], signature: Self.signature, window: 10)
        #expect(online.coverage == 0 && online.metrics.isEmpty && online.correctRows == 0)
        #expect(OnlineMetrics(revision: 9, rows: [], signature: Self.signature, window: 10).coverage == nil)
    }

    @Test("integer labels and number truths are one label: 1 and 1.0")
    func labels() {
        let signature = ModelSignature(features: ["x"], task: .multiclassClassification, classes: ["2", "10", "1"])
        #expect(signature.classes == ["1", "2", "10"])
        let rows = [Self.row("a", at: 1, predict: .integer(1), proba: nil, truth: .number(1)),
                    Self.row("b", at: 2, predict: .integer(10), proba: nil, truth: .integer(2))]
        #expect(OnlineMetrics(revision: 1, rows: rows, signature: signature, window: 10).correctRows == 1)
    }
}
