import Foundation
import Testing
@testable import SextantML
import SextantTestSupport

/// Permutation importance, bootstrap intervals and linear SHAP against scikit-learn on its
/// bundled datasets (breast cancer, diabetes, iris): data no one here generated.
/// scripts/golden/make-explain-golden.py writes what scikit-learn computes (its header says
/// how the models and cases were chosen); Golden/explain.json is its committed output.
@Suite struct ExplainGoldenTests {
    struct File: Decodable {
        var versions: [String: String]
        var importance: [ImportanceCase]
        var bootstrap: [BootstrapCase]
        var shap: ShapCase
    }

    struct ImportanceCase: Decodable {
        var name: String
        var task: String
        var repeats: Int
        var why: String
        var metric: MetricName
        var features: [String]
        var holdout_rows: [Int]
        var coef: [[Double]]
        var sklearn: Importances
        var plan: PlanImportances
    }

    struct Importances: Decodable {
        var mean: [Double]
        var std: [Double]
    }

    struct PlanImportances: Decodable {
        var seed: UInt64
        var mean: [Double]
        var std: [Double]
        var first_permutation: [Int]
    }

    struct BootstrapCase: Decodable {
        var name: String
        var task: String
        var classes: [String]?
        var truth: [String]
        var scores: [[Double]]
        var seed: UInt64
        var resamples: Int
        var holdout: [String: Double]
        var intervals: [String: [Double]]
    }

    struct ShapCase: Decodable {
        var categorical: [String]
        var features: [String]
        var transforms: [Transform]
        var coef: [Double]
        var intercept: Double
        var holdout_rows: [Int]
        var values: [[Double]]
        var base: Double
        var raw: [Double]
    }

    struct Transform: Decodable {
        var name: String
        var mean: Double?
        var scale: Double?
        var categories: [String]?
        var shares: [Double]?
    }

    static let sklearnPython = ProcessInfo.processInfo.environment["SEXTANT_SKLEARN_PYTHON"]

    static func task(_ name: String) -> (ModelTask, BuiltinTrainer, ColumnType) {
        switch name {
        case "binary": (.binaryClassification, .logisticRegression, .boolean)
        case "multiclass": (.multiclassClassification, .softmaxRegression, .string)
        default: (.regression, .linearRegression, .number)
        }
    }

    /// Sextant's model on the case's features, trained as `sextant train` trains it, and
    /// every feature's importance on the holdout by `PermutationPlan` with the case's repeats.
    static func importances(_ item: ImportanceCase) throws -> (TrainedModel, [PermutationImportance]) {
        let table = try CSVTable(Array(try Data(contentsOf: URL(fileURLWithPath: Golden.directory + item.name + ".csv"))))
        let (task, trainer, targetType) = Self.task(item.task)
        let labels = try ModelTrainer.labels(table, target: "target", type: targetType).map { $0 ?? "" }
        let split = Split(count: table.rowCount, holdout: 0.2, seed: 42, labels: task == .regression ? nil : labels)
        #expect(split.holdout == item.holdout_rows, "\(item.name): the holdout is scikit-learn's")
        let features = item.features.map { FeatureSpec(name: $0, type: .number) }
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: trainer, target: "target", targetType: targetType,
                                                               features: features, trainRows: split.train))
        let columns = try ModelTrainer.columns(table, features)
        let holdout = split.holdout.map { row in columns.map { $0.value(at: row) } }
        let truth = split.holdout.map { labels[$0] }
        func score(_ rows: [[FeatureValue]]) -> Double {
            let predictions = model.predict(rows)
            let metrics = TaskMetrics(task: task, classes: model.classes ?? [], truth: truth, labels: nil, scores: predictions.outputs)
            return metrics.values.first { $0.name == item.metric }!.value!
        }
        let plan = PermutationPlan(rows: holdout.count, features: features.count, repeats: item.repeats, seed: item.plan.seed)
        #expect(plan.permutation(feature: 0, repeat: 0) == item.plan.first_permutation, "\(item.name): the plan's first permutation")
        let importances = plan.importances(baseline: score(holdout), lowerIsBetter: false) { feature, order in
            var permuted = holdout
            for (position, source) in order.enumerated() { permuted[position][feature] = holdout[source][feature] }
            return score(permuted)
        }
        return (model, importances)
    }

    /// The indices of the three largest means, largest first.
    static func topThree(_ means: [Double]) -> [Int] {
        Array(means.indices.sorted { means[$0] > means[$1] }.prefix(3))
    }

    static func compareImportances(_ file: File) throws {
        #expect(file.importance.map(\.name) == ["breast_cancer", "diabetes", "iris"])
        for item in file.importance {
            let (model, ours) = try importances(item)
            // The same model: scikit-learn's coefficients, to its solver's tolerance.
            for (row, coefficients) in item.coef.enumerated() {
                for (ours, theirs) in zip(model.weights[row], coefficients) {
                    #expect(abs(ours - theirs) < 1e-3 * max(1, abs(theirs)), "\(item.name): weight \(ours) vs scikit-learn \(theirs)")
                }
            }
            let means = ours.map(\.mean)
            let names = { (indices: [Int]) in indices.map { item.features[$0] } }
            #expect(names(topThree(means)) == names(topThree(item.sklearn.mean)),
                    "\(item.name): top three \(names(topThree(means))) vs permutation_importance's \(names(topThree(item.sklearn.mean)))")
            for (index, feature) in item.features.enumerated() {
                #expect(abs(means[index] - item.sklearn.mean[index]) <= 0.02,
                        "\(item.name).\(feature): mean \(means[index]) vs permutation_importance's \(item.sklearn.mean[index]) (\(item.why))")
                // The same permutations scored by scikit-learn: the definition, exactly.
                #expect(abs(means[index] - item.plan.mean[index]) < 1e-6, "\(item.name).\(feature): \(means[index]) vs \(item.plan.mean[index])")
                #expect(abs(ours[index].std - item.plan.std[index]) < 1e-6, "\(item.name).\(feature): std \(ours[index].std) vs \(item.plan.std[index])")
            }
        }
    }

    static func compareIntervals(_ file: File) throws {
        for item in file.bootstrap {
            let (task, _, _) = Self.task(item.task)
            let intervals = BootstrapIntervals.compute(task: task, classes: item.classes ?? [], truth: item.truth, labels: nil, scores: item.scores,
                                                       resamples: item.resamples, seed: item.seed)
            #expect(Set(intervals.keys.map(\.rawValue)) == Set(item.intervals.keys), "\(item.name)")
            let metrics = TaskMetrics(task: task, classes: item.classes ?? [], truth: item.truth, labels: nil, scores: item.scores)
            for (name, expected) in item.intervals {
                let metric = try #require(MetricName(rawValue: name))
                let interval = try #require(intervals[metric], "\(item.name).\(name)")
                #expect(Golden.close(interval.lower, expected[0], 1e-9) && Golden.close(interval.upper, expected[1], 1e-9),
                        "\(item.name).\(name): [\(interval.lower), \(interval.upper)] vs numpy [\(expected[0]), \(expected[1])]")
                let holdout = try #require(metrics.values.first { $0.name == metric }?.value)
                #expect(Golden.close(holdout, item.holdout[name], 1e-9), "\(item.name).\(name): \(holdout) vs scikit-learn \(item.holdout[name]!)")
            }
        }
    }

    static func compareShap(_ item: ShapCase) throws {
        let table = try CSVTable(Array(try Data(contentsOf: URL(fileURLWithPath: Golden.directory + "diabetes.csv"))))
        let features = item.features.map { FeatureSpec(name: $0, type: item.categorical.contains($0) ? .string : .number) }
        let split = Split(count: table.rowCount, holdout: 0.2, seed: 42)
        #expect(split.holdout == item.holdout_rows)
        var model = try ModelTrainer.train(table, TrainingSpec(trainer: .linearRegression, target: "target", targetType: .number,
                                                               features: features, trainRows: split.train))
        for (ours, theirs) in zip(model.preprocessing.features, item.transforms) {
            #expect(ours.name == theirs.name)
            #expect(Golden.close(ours.mean, theirs.mean) && Golden.close(ours.scale, theirs.scale), "\(ours.name)")
            #expect(ours.categories == theirs.categories, "\(ours.name)")
            #expect(ours.shares?.count == theirs.shares?.count && zip(ours.shares ?? [], theirs.shares ?? []).allSatisfy { abs($0 - $1) < 1e-12 }, "\(ours.name)")
        }
        // scikit-learn's coefficients in Sextant's model: the closed form alone is compared.
        model.weights = [item.coef]
        model.intercepts = [item.intercept]
        let columns = try ModelTrainer.columns(table, features)
        let explanation = model.explain(split.holdout.map { row in columns.map { $0.value(at: row) } })
        for (row, expected) in item.values.enumerated() {
            for (feature, value) in expected.enumerated() {
                #expect(Golden.close(explanation.values[row][feature], value), "row \(row), \(item.features[feature]): \(explanation.values[row][feature]) vs \(value)")
            }
            #expect(Golden.close(explanation.base[row], item.base))
            #expect(Golden.close(explanation.raw[row], item.raw[row]))
        }
    }

    @Test("the committed permutation importances of scikit-learn: same top three, means within 0.02, and exactly with the same permutations")
    func committedImportance() throws {
        try Self.compareImportances(try Golden.load("explain.json"))
    }

    @Test("bootstrap intervals equal numpy's percentiles of scikit-learn's metrics on the same resamples")
    func committedIntervals() throws {
        try Self.compareIntervals(try Golden.load("explain.json"))
    }

    @Test("linear SHAP equals the closed form computed by numpy, a categorical feature among the inputs")
    func committedShap() throws {
        try Self.compareShap(try Golden.load("explain.json", as: File.self).shap)
    }

    @Test(
        "scikit-learn, run now, agrees on importances, intervals and SHAP",
        .enabled(if: sklearnPython != nil, "needs SEXTANT_SKLEARN_PYTHON: a python with numpy, scipy and scikit-learn")
    )
    func live() async throws {
        let directory = try TemporaryDirectory("sextant-explain-golden")
        let output = directory.path + "/explain.json"
        let run = try await runProcess(try #require(Self.sklearnPython), [packageRoot + "/scripts/golden/make-explain-golden.py", output])
        try #require(run.status == 0, "make-explain-golden.py failed: \(run.stderr)")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        try Self.compareImportances(file)
        try Self.compareIntervals(file)
        try Self.compareShap(file.shap)
    }
}
