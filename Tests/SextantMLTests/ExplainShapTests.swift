import Foundation
import Testing
@testable import SextantML

/// Exact linear SHAP: every row's values sum to its raw output minus the base, for each
/// built-in trainer, with a categorical feature, missing values and unseen categories.
@Suite struct ExplainShapTests {
    /// 120 rows: two numbers and a region; the target depends on all three.
    static func columns() -> (columns: [FeatureColumn], amounts: [Double?], regions: [String?], score: [Double]) {
        var generator = SplitMix64(seed: 11)
        var amounts: [Double?] = [], hours: [Double?] = [], regions: [String?] = [], score: [Double] = []
        let names = ["apac", "eu", "us"]
        for row in 0..<120 {
            let amount = Double(generator.next() % 10_000) / 100, hour = Double(generator.next() % 24)
            let region = names[Int(generator.next() % 3)]
            amounts.append(row % 17 == 0 ? nil : amount)
            hours.append(hour)
            regions.append(row % 13 == 0 ? nil : region)
            score.append(amount / 20 - hour / 6 + (region == "us" ? 2 : region == "eu" ? -1 : 0) + Double(generator.next() % 100) / 50)
        }
        return ([.numeric(name: "amount", values: amounts), .numeric(name: "hour", values: hours),
                 .categorical(name: "region", values: regions, declared: ["mars"])], amounts, regions, score)
    }

    static func model(_ trainer: BuiltinTrainer) throws -> TrainedModel {
        let (columns, _, _, score) = Self.columns()
        let targets: [String?] = score.map { value in
            switch trainer {
            case .logisticRegression: value > 2 ? "true" : "false"
            case .softmaxRegression: value < 1 ? "low" : value < 3.5 ? "mid" : "high"
            case .linearRegression: formatNumber(value)
            }
        }
        return try ModelTrainer.train(columns: columns, targets: targets,
                                      TrainingSpec(trainer: trainer, target: "y", targetType: .string, features: [], trainRows: Array(0..<100)))
    }

    static let rows: [[FeatureValue]] = {
        let (columns, _, _, _) = Self.columns()
        var rows = (0..<120).map { row in columns.map { $0.value(at: row) } }
        rows.append([.missing, .number(3), .text("atlantis")])
        rows.append([.number(50), .missing, .text("mars")])
        rows.append([.number(1e3), .number(-4), .missing])
        return rows
    }()

    /// The model's raw output for one row, straight from the model file's numbers.
    static func raw(_ model: TrainedModel, _ row: [FeatureValue], output: Int) -> Double {
        var unseen = 0
        let inputs = model.preprocessing.transform(row, unseen: &unseen)
        return zip(model.weights[output], inputs).reduce(model.intercepts[output]) { $0 + $1.0 * $1.1 }
    }

    @Test("Σφ + base = the raw output to 1e-9, and the raw output is the model's", arguments: BuiltinTrainer.allCases)
    func sums(trainer: BuiltinTrainer) throws {
        let model = try Self.model(trainer)
        let explanation = model.explain(Self.rows)
        let predictions = model.predict(Self.rows)
        #expect(explanation.values.count == Self.rows.count && explanation.values.allSatisfy { $0.count == 3 })
        for (index, row) in Self.rows.enumerated() {
            let output = explanation.outputClass?[index] ?? 0
            let expected = Self.raw(model, row, output: output)
            #expect(abs(explanation.raw[index] - expected) <= 1e-9 * max(1, abs(expected)), "row \(index)")
            let total = explanation.values[index].reduce(0, +) + explanation.base[index]
            #expect(abs(total - explanation.raw[index]) <= 1e-9, "row \(index): Σφ + base \(total), raw \(explanation.raw[index])")
            switch trainer {
            case .logisticRegression:
                let probability = 1 / (1 + exp(-explanation.raw[index]))
                #expect(abs(probability - predictions.outputs[index][1]) < 1e-12)
            case .softmaxRegression:
                #expect(output == Predictions.mostProbable(predictions.outputs[index]), "the predicted class is explained")
            case .linearRegression:
                #expect(abs(explanation.raw[index] - predictions.outputs[index][0]) <= 1e-9 * max(1, abs(expected)))
            }
        }
        #expect((explanation.outputClass != nil) == (trainer == .softmaxRegression))
        let explainedClasses = Set(explanation.outputClass ?? [])
        let classCount = trainer == .softmaxRegression ? 3 : 0
        #expect(explainedClasses.count == classCount, "every class is predicted somewhere")
    }

    @Test("the base is the mean raw output of the training rows; a missing number contributes nothing")
    func reference() throws {
        let model = try Self.model(.linearRegression)
        let (columns, _, _, _) = Self.columns()
        let training = (0..<100).map { row in columns.map { $0.value(at: row) } }
        let meanRaw = training.map { Self.raw(model, $0, output: 0) }.reduce(0, +) / 100
        let explanation = model.explain(Self.rows)
        #expect(Set(explanation.base).count == 1)
        #expect(abs(explanation.base[0] - meanRaw) < 1e-9, "base \(explanation.base[0]) vs the training rows' mean output \(meanRaw)")
        let missingAmount = Self.rows.count - 3
        #expect(explanation.values[missingAmount][0] == 0)
        // An unseen or missing category is all zeros: measured against the shares, not nothing.
        #expect(explanation.values[missingAmount][2] != 0)
        let region = model.preprocessing.features[2]
        #expect(region.categories == ["apac", "eu", "mars", "us"])
        let shares = try #require(region.shares)
        #expect(shares[2] == 0, "a declared category no training row holds")
        let (_, _, regions, _) = Self.columns()
        let present = Double(regions.prefix(100).compactMap { $0 }.count) / 100
        #expect(abs(shares.reduce(0, +) - present) < 1e-12, "missing rows hold no category")
    }

    @Test("a model file without shares still decodes and explains, against zeros; a new one stores shares deterministically")
    func olderModelFiles() throws {
        let model = try Self.model(.logisticRegression)
        let encoded = String(decoding: model.encoded(), as: UTF8.self)
        #expect(encoded.contains("\"shares\""))
        #expect(try Self.model(.logisticRegression).encoded() == model.encoded())
        var object = try #require(try JSONSerialization.jsonObject(with: model.encoded()) as? [String: Any])
        var preprocessing = object["preprocessing"] as! [String: Any]
        preprocessing["features"] = (preprocessing["features"] as! [[String: Any]]).map { $0.filter { $0.key != "shares" } }
        object["preprocessing"] = preprocessing
        let older = try TrainedModel.decode(try JSONSerialization.data(withJSONObject: object))
        #expect(older.preprocessing.features[2].shares == nil)
        let explanation = older.explain(Self.rows)
        for index in Self.rows.indices {
            let total = explanation.values[index].reduce(0, +) + explanation.base[index]
            #expect(abs(total - explanation.raw[index]) <= 1e-9)
        }
        #expect(explanation.base[0] == older.intercepts[0], "zeros for numbers and categories: the base is the intercept")
    }
}
