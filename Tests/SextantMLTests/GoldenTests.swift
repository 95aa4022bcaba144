import Foundation
import Testing
@testable import SextantML
import SextantTestSupport

/// Metrics and trained models against scikit-learn and fairlearn: reference values made by
/// scripts/golden/make-golden.py on committed inputs (see Golden/README.md).
enum Golden {
    static let directory = packageRoot + "/Tests/SextantMLTests/Golden/"

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: directory + name)))
    }

    static func close(_ actual: Double?, _ expected: Double?, _ tolerance: Double = 1e-9) -> Bool {
        switch (actual, expected) {
        case (nil, nil): return true
        case (let a?, let e?): return abs(a - e) <= tolerance * max(1, abs(e))
        default: return false
        }
    }
}

@Suite struct GoldenSplitTests {
    @Test("SplitMix64 gives the reference sequence")
    func generator() throws {
        let expected: [String: [String]] = try Golden.load("splitmix64.json")
        for (name, seed) in [("seed42", UInt64(42)), ("seed0", 0)] {
            var generator = SplitMix64(seed: seed)
            #expect((0..<10).map { _ in String(generator.next()) } == expected[name], "\(name)")
        }
    }

    struct Case: Decodable {
        var n: Int
        var labels: [String]?
        var holdout: Double
        var seed: UInt64
        var stratify: Bool
        var train: [Int]
        var holdout_rows: [Int]
    }

    @Test("the split selects the same rows as scripts/golden/split.py")
    func split() throws {
        let cases: [Case] = try Golden.load("split.json")
        #expect(cases.count >= 4)
        for item in cases {
            let split = Split(count: item.n, holdout: item.holdout, seed: item.seed, labels: item.stratify ? item.labels : nil)
            #expect(split.holdout == item.holdout_rows, "n=\(item.n) seed=\(item.seed)")
            #expect(split.train == item.train)
        }
    }
}

/// Built-in trainers on real datasets shipped with scikit-learn, against its solvers.
@Suite struct GoldenTrainingTests {
    struct Reference: Decodable {
        var csv: String
        var target: String
        var features: [String]
        var task: String
        var l2: Double
        var train_rows: [Int]
        var holdout_rows: [Int]
        var means: [Double]
        var scales: [Double]
        var coef: [[Double]]
        var intercept: [Double]
        var holdout_metrics: [String: Double]
        var train_objective: Double
    }

    static func reference(_ name: String) throws -> (Reference, CSVTable) {
        let all: [String: Reference] = try Golden.load("training.json")
        let reference = try #require(all[name])
        let table = try CSVTable(Array(try Data(contentsOf: URL(fileURLWithPath: Golden.directory + reference.csv))))
        return (reference, table)
    }

    static func train(_ name: String, _ trainer: BuiltinTrainer, targetType: ColumnType) throws -> (Reference, CSVTable, TrainedModel, Predictions) {
        let (reference, table) = try reference(name)
        let labels = try ModelTrainer.labels(table, target: reference.target, type: targetType).map { $0 ?? "" }
        let split = Split(count: table.rowCount, holdout: 0.2, seed: 42, labels: trainer == .linearRegression ? nil : labels)
        #expect(split.train == reference.train_rows, "the split matches scikit-learn's side")
        let features = reference.features.map { FeatureSpec(name: $0, type: .number) }
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: trainer, target: reference.target, targetType: targetType,
                                                               features: features, trainRows: split.train))
        #expect(model.training.converged, "\(model.training)")
        #expect(Golden.close(model.hyperparameters.l2, reference.l2))
        for (index, transform) in model.preprocessing.features.enumerated() {
            #expect(Golden.close(transform.mean, reference.means[index]))
            #expect(Golden.close(transform.scale, reference.scales[index]))
        }
        let predictions = try ModelTrainer.predict(model, table, features: features, rows: split.holdout)
        return (reference, table, model, predictions)
    }

    @Test("logistic regression on breast_cancer: scikit-learn's optimum, and its holdout AUC within 0.01")
    func logistic() throws {
        let (reference, _, model, predictions) = try Self.train("breast_cancer", .logisticRegression, targetType: .boolean)
        // Same objective, both solved to convergence: the optima agree closely.
        #expect(Golden.close(model.training.objective, reference.train_objective, 1e-8), "\(model.training.objective) vs \(reference.train_objective)")
        for (ours, theirs) in zip(model.weights[0], reference.coef[0]) { #expect(abs(ours - theirs) < 1e-4, "\(ours) vs \(theirs)") }
        let (_, table) = try Self.reference("breast_cancer")
        let labels = try ModelTrainer.labels(table, target: "target", type: .boolean)
        let truth = reference.holdout_rows.map { labels[$0] == "true" }
        let auc = try #require(BinaryMetrics.auc(truth, predictions.outputs.map { $0[1] }))
        #expect(abs(auc - reference.holdout_metrics["auc"]!) < 0.01, "AUC \(auc), scikit-learn \(reference.holdout_metrics["auc"]!)")
        #expect(model.classes == ["false", "true"])
    }

    @Test("softmax regression on iris: scikit-learn's multinomial optimum and holdout accuracy")
    func softmax() throws {
        let (reference, table, model, predictions) = try Self.train("iris", .softmaxRegression, targetType: .string)
        #expect(Golden.close(model.training.objective, reference.train_objective, 1e-8), "\(model.training.objective) vs \(reference.train_objective)")
        let labels = try ModelTrainer.labels(table, target: "target", type: .string)
        let truth = reference.holdout_rows.map { labels[$0]! }
        let accuracy = MulticlassMetrics.accuracy(truth, predictions.labels)
        #expect(abs(accuracy - reference.holdout_metrics["accuracy"]!) < 1e-9)
        #expect(abs(MulticlassMetrics.logLoss(truth, classes: model.classes!, probabilities: predictions.outputs) - reference.holdout_metrics["logLoss"]!) < 1e-4)
    }

    @Test("ridge regression on diabetes: scikit-learn's coefficients, holdout RMSE within 1%")
    func ridge() throws {
        let (reference, table, model, predictions) = try Self.train("diabetes", .linearRegression, targetType: .number)
        for (ours, theirs) in zip(model.weights[0], reference.coef[0]) { #expect(abs(ours - theirs) < 1e-6 * max(1, abs(theirs)), "\(ours) vs \(theirs)") }
        #expect(abs(model.intercepts[0] - reference.intercept[0]) < 1e-6)
        let labels = try ModelTrainer.labels(table, target: "target", type: .number)
        let truth = reference.holdout_rows.map { Double(labels[$0]!)! }
        let rmse = RegressionMetrics.rmse(truth, predictions.outputs.map { $0[0] })
        #expect(abs(rmse - reference.holdout_metrics["rmse"]!) / reference.holdout_metrics["rmse"]! < 0.01)
    }
}
