import Foundation
import Testing
@testable import SextantML

/// The built-in trainers on data that breaks naive solvers, and the model file.
@Suite struct TrainerTests {
    static func table(_ csv: String) throws -> CSVTable { try CSVTable(Array(csv.utf8)) }

    static func spec(_ trainer: BuiltinTrainer, rows: Int, features: [FeatureSpec], targetType: ColumnType = .boolean, l2: Double? = nil) -> TrainingSpec {
        TrainingSpec(trainer: trainer, target: "y", targetType: targetType, features: features, l2: l2, trainRows: Array(0..<rows))
    }

    @Test("perfectly separable data converges to finite weights (the penalty bounds them)")
    func separable() throws {
        let table = try Self.table("x,y\n" + (0..<40).map { "\($0),\($0 >= 20)" }.joined(separator: "\n") + "\n")
        let model = try ModelTrainer.train(table, Self.spec(.logisticRegression, rows: 40, features: [FeatureSpec(name: "x", type: .number)]))
        #expect(model.training.converged)
        #expect(model.weights.flatMap { $0 }.allSatisfy { $0.isFinite })
        #expect(model.intercepts.allSatisfy { $0.isFinite })
        let scores = ModelTrainer.predict(model, columns: try ModelTrainer.columns(table, [FeatureSpec(name: "x", type: .number)]), rows: Array(0..<40))
        #expect(BinaryMetrics.auc((0..<40).map { $0 >= 20 }, scores.outputs.map { $0[1] }) == 1)
    }

    @Test("rank-deficient data (a duplicated and a constant column) trains without NaNs, even without a penalty")
    func rankDeficient() throws {
        let rows = (0..<30).map { "\(Double($0) * 0.5),\(Double($0) * 0.5),7,\($0 % 3 == 0),\(Double($0) * 2 + 1)" }
        let table = try Self.table("a,b,c,y,t\n" + rows.joined(separator: "\n") + "\n")
        let features = ["a", "b", "c"].map { FeatureSpec(name: $0, type: .number) }
        let logistic = try ModelTrainer.train(table, Self.spec(.logisticRegression, rows: 30, features: features, l2: 0))
        #expect(logistic.weights.flatMap { $0 }.allSatisfy { $0.isFinite })
        var ridge = Self.spec(.linearRegression, rows: 30, features: features, targetType: .number, l2: 0)
        ridge.target = "t"
        let linear = try ModelTrainer.train(table, ridge)
        #expect(linear.weights.flatMap { $0 }.allSatisfy { $0.isFinite })
        let predicted = ModelTrainer.predict(linear, columns: try ModelTrainer.columns(table, features), rows: Array(0..<30)).outputs.map { $0[0] }
        #expect(RegressionMetrics.rmse((0..<30).map { Double($0) * 2 + 1 }, predicted) < 1e-6, "an exact linear relation is recovered")
    }

    @Test("categories: one-hot from training data and validValues; unseen and missing values are all zeros, and counted")
    func categories() throws {
        let table = try Self.table("region,amount,y\neu,1,true\nus,,false\neu,3,true\nus,4,false\n")
        let features = [FeatureSpec(name: "region", type: .string, categories: ["apac"]), FeatureSpec(name: "amount", type: .number)]
        let model = try ModelTrainer.train(table, Self.spec(.logisticRegression, rows: 4, features: features))
        let region = model.preprocessing.features[0]
        #expect(region.categories == ["apac", "eu", "us"])
        let amount = model.preprocessing.features[1]
        #expect(amount.mean == (1 + 3 + 4) / 3.0, "the mean of the values present; the missing one is imputed with it")
        var unseen = 0
        #expect(model.preprocessing.transform([.text("mars"), .missing], unseen: &unseen) == [0, 0, 0, 0])
        #expect(unseen == 1)
        #expect(model.preprocessing.transform([.text("eu"), .number(amount.mean!)], unseen: &unseen) == [0, 1, 0, 0])
        let predictions = model.predict([[.text("mars"), .number(2)]])
        #expect(predictions.unseenCategories == 1)
        #expect(predictions.outputs[0].allSatisfy { $0.isFinite })
    }

    @Test("the model file is deterministic, versioned, and reads back to the same predictions")
    func modelFile() throws {
        let csv = "x,y\n" + (0..<50).map { "\(sin(Double($0))),\($0 % 3 == 0)" }.joined(separator: "\n") + "\n"
        let features = [FeatureSpec(name: "x", type: .number)]
        let first = try ModelTrainer.train(try Self.table(csv), Self.spec(.logisticRegression, rows: 50, features: features))
        let second = try ModelTrainer.train(try Self.table(csv), Self.spec(.logisticRegression, rows: 50, features: features))
        #expect(first.encoded() == second.encoded(), "byte-identical")
        let decoded = try TrainedModel.decode(first.encoded())
        #expect(decoded == first)
        #expect(String(decoding: first.encoded(), as: UTF8.self).contains(#""format" : "sextant.model/v1""#))
        var future = first
        future.format = "sextant.model/v9"
        #expect(throws: TrainingError.self) { try TrainedModel.decode(future.encoded()) }
    }

    @Test("a binary trainer refuses one class; a regression refuses text targets")
    func refusals() throws {
        let table = try Self.table("x,y\n1,true\n2,true\n")
        #expect(throws: TrainingError("logistic-regression needs exactly 2 classes in the training rows of y; found 1 (true)")) {
            try ModelTrainer.train(table, Self.spec(.logisticRegression, rows: 2, features: [FeatureSpec(name: "x", type: .number)]))
        }
        var regression = Self.spec(.linearRegression, rows: 2, features: [FeatureSpec(name: "x", type: .number)], targetType: .string)
        regression.targetType = .string
        #expect(throws: TrainingError.self) { try ModelTrainer.train(table, regression) }
    }
}
