import Testing
@testable import SextantML

/// The one per-task metric definition `train`, `metrics` and evaluation share, against
/// scikit-learn and fairlearn (Golden/README.md: `y_pred = score >= threshold`, 0.5).
@Suite struct TaskMetricsTests {
    struct BinaryCase: Decodable {
        var name: String
        var y_true: [Int]
        var score: [Double]
        var threshold: Double
        var sensitive: [String]
        var expected: [String: Double?]
    }

    struct MulticlassCase: Decodable {
        var name: String
        var classes: [String]
        var y_true: [String]
        var proba: [[Double]]
        var expected: [String: Double]
    }

    struct RegressionCase: Decodable {
        var name: String
        var y_true: [Double]
        var y_pred: [Double]
        var expected: [String: Double]
    }

    static func values(_ metrics: TaskMetrics) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: metrics.values.map { ($0.name.rawValue, $0.value) })
    }

    static func binary(_ item: BinaryCase, labels: [String]? = nil, scores: Bool = true) -> TaskMetrics {
        TaskMetrics(task: .binaryClassification, classes: ["0", "1"], truth: item.y_true.map(String.init),
                    labels: labels, scores: scores ? item.score.map { [1 - $0, $0] } : nil)
    }

    @Test("binary: without labels, label metrics threshold the scores at 0.5; all match scikit-learn and fairlearn")
    func binaryFromScores() throws {
        let cases: [BinaryCase] = try Golden.load("binary-metrics.json")
        #expect(cases.count >= 6)
        for item in cases {
            #expect(item.threshold == 0.5, "the golden thresholds at 0.5, as TaskMetrics does")
            let metrics = Self.binary(item)
            var actual = Self.values(metrics)
            for fairness in metrics.fairness(sensitive: item.sensitive) { actual[fairness.name.rawValue] = fairness.value }
            #expect(Set(actual.keys) == Set(item.expected.keys), "\(item.name)")
            for (metric, expected) in item.expected {
                let value = actual[metric] ?? nil
                #expect(Golden.close(value, expected), "\(item.name): \(metric) = \(String(describing: value)), scikit-learn \(String(describing: expected))")
            }
        }
    }

    @Test("binary: the model's labels win over its scores for label metrics; score metrics still come from the scores")
    func binaryLabelsWin() throws {
        let cases: [BinaryCase] = try Golden.load("binary-metrics.json")
        let item = try #require(cases.first { $0.name.hasPrefix("perfect") })
        // Labels that say the opposite of the (perfect) scores: every label metric is 0.
        let flipped = item.y_true.map { $0 == 1 ? "0" : "1" }
        let metrics = Self.values(Self.binary(item, labels: flipped))
        for name in ["accuracy", "precision", "recall", "f1"] { #expect(metrics[name] == 0, "\(name)") }
        #expect(metrics["auc"] == 1)
        #expect(Golden.close(metrics["logLoss"] ?? nil, item.expected["logLoss"] ?? nil))
    }

    @Test("binary: without scores, auc, prAuc and logLoss are undefined, never computed on hard labels")
    func binaryWithoutScores() throws {
        let cases: [BinaryCase] = try Golden.load("binary-metrics.json")
        let item = try #require(cases.first)
        let labels = item.score.map { $0 >= 0.5 ? "1" : "0" }
        let metrics = Self.values(Self.binary(item, labels: labels, scores: false))
        for name in ["auc", "prAuc", "logLoss"] { #expect(metrics[name] == .some(nil), "\(name)") }
        for name in ["accuracy", "precision", "recall", "f1"] {
            #expect(Golden.close(metrics[name] ?? nil, item.expected[name] ?? nil), "\(name)")
        }
    }

    @Test("multiclass: labels from the most probable class (first on ties), or the model's; match scikit-learn")
    func multiclass() throws {
        let cases: [MulticlassCase] = try Golden.load("multiclass-metrics.json")
        #expect(cases.count >= 3)
        for item in cases {
            let fromScores = TaskMetrics(task: .multiclassClassification, classes: item.classes, truth: item.y_true, labels: nil, scores: item.proba)
            let fromLabels = TaskMetrics(task: .multiclassClassification, classes: item.classes, truth: item.y_true,
                                         labels: fromScores.labels, scores: item.proba)
            for metrics in [fromScores, fromLabels] {
                let actual = Self.values(metrics)
                #expect(Set(actual.keys) == Set(item.expected.keys), "\(item.name)")
                for (metric, expected) in item.expected {
                    #expect(Golden.close(actual[metric] ?? nil, expected), "\(item.name): \(metric)")
                }
            }
        }
    }

    @Test("regression: the values, as scores or as the labels a server answers, match scikit-learn")
    func regression() throws {
        let cases: [RegressionCase] = try Golden.load("regression-metrics.json")
        #expect(cases.count >= 3)
        for item in cases {
            let truth = item.y_true.map(formatNumber)
            let fromScores = TaskMetrics(task: .regression, classes: [], truth: truth, labels: nil, scores: item.y_pred.map { [$0] })
            let fromLabels = TaskMetrics(task: .regression, classes: [], truth: truth, labels: item.y_pred.map(formatNumber), scores: nil)
            for metrics in [fromScores, fromLabels] {
                let actual = Self.values(metrics)
                #expect(Set(actual.keys) == Set(item.expected.keys), "\(item.name)")
                for (metric, expected) in item.expected {
                    #expect(Golden.close(actual[metric] ?? nil, expected), "\(item.name): \(metric)")
                }
            }
        }
    }
}
