import Foundation
import Testing
import SextantAPI
import SextantCore
@testable import SextantML
@testable import SextantRuntime
import SextantStore
import SextantTestSupport

/// Explanations computed at evaluation through the serving path (DESIGN §9), as built: the
/// quickstart reconciled once with `explainability: required`, then the numbers the model
/// server's answers gave compared with the same computation in process on the same model file.
@Suite(.serialized) struct ExplanationsEndToEndTests {
    @Test("""
        the quickstart's r1 is explained through its server: permutation importance equals the in-process computation with the \
        same permutations, mean |SHAP| equals the model's own, every bootstrap interval contains its metric, and each region has its slice
        """)
    func quickstart() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let model = try #require(try ModelLifecycleEndToEndTests.Setup.files(of: "quickstart")["models/fraud-detector.yaml"])
        try setup.repository.commit("explanations are required", files: [
            "models/fraud-detector.yaml": model.replacingOccurrences(of: "    incumbent:", with: "    explainability: required\n    incumbent:"),
        ])
        let result = try await setup.reconcile()
        #expect(result.status == 0, "\(result.stderr)")
        let registry = try #require(try SQLiteStore(readingFrom: setup.state.path).registries()["fraud-detector"])
        let version = try #require(registry.versions.first)
        let evaluation = try #require(registry.revisions.first?.evaluation)
        let explanations = try #require(evaluation.explanations, "\(evaluation.explanationFailure ?? "")")
        #expect(evaluation.explanationsRequired == true)
        #expect(explanations.metric == "auc")
        #expect(explanations.repeats == 5)
        #expect(explanations.seed == 42)
        #expect(explanations.rows == evaluation.holdoutRows, "481 rows: the whole holdout, under the 10,000-row sample")

        // The same holdout, model and permutations, in process.
        let features = try #require(version.features)
        let data = TrainingData(dataset: "transactions", location: .file(path: packageRoot + "/examples/quickstart/data/transactions.csv"),
                                sha256: version.datasetSha256, task: .binaryClassification, target: "is_fraud", targetType: .boolean,
                                features: features, holdout: 0.2, splitSeed: 42, stratify: true)
        let bytes = try #require(FileManager.default.contents(atPath: packageRoot + "/examples/quickstart/data/transactions.csv"))
        let holdout = try ModelData(data, bytes: Array(bytes))
        let trained = try TrainedModel.decode(try #require(FileManager.default.contents(atPath: setup.state.path + "/" + version.modelDirectory + "/model.json")))
        let columns = try ModelTrainer.columns(holdout.table, features.map { FeatureSpec(name: $0.name, type: $0.logicalType.columnType) })
        let truth = holdout.holdout.map { holdout.labels[$0]! }
        func auc(_ order: (feature: Int, rows: [Int])?) -> Double {
            let rows = holdout.holdout.indices.map { position in
                columns.indices.map { feature in
                    columns[feature].value(at: holdout.holdout[order?.feature == feature ? order!.rows[position] : position])
                }
            }
            let predictions = trained.predict(rows)
            let metrics = TaskMetrics(task: .binaryClassification, classes: predictions.classes, truth: truth, labels: nil, scores: predictions.outputs)
            return metrics.values.first { $0.name == .auc }!.value!
        }
        let plan = PermutationPlan(rows: holdout.holdout.count, features: features.count, repeats: 5, seed: 42)
        let baseline = auc(nil)
        #expect(abs(baseline - evaluation.metrics["auc"]!) < 1e-12)
        for (index, feature) in features.enumerated() {
            let scores = (0..<5).map { auc((index, plan.permutation(feature: index, repeat: $0))) }
            let expected = PermutationPlan.importance(baseline: baseline, permuted: scores, lowerIsBetter: false)
            let actual = try #require(explanations.importances.first { $0.feature == feature.name })
            #expect(abs(actual.mean - expected.mean) < 1e-12, "\(feature.name)")
            #expect(abs(actual.std - expected.std) < 1e-12, "\(feature.name)")
        }
        #expect(explanations.importances.map(\.mean) == explanations.importances.map(\.mean).sorted(by: >))

        // Mean |SHAP| from serve-model's `explanation` output.
        let shap = try #require(explanations.shap)
        let rows = holdout.holdout.map { row in columns.map { $0.value(at: row) } }
        let local = trained.explain(rows)
        for (index, feature) in features.enumerated() {
            let expected = local.values.reduce(0) { $0 + abs($1[index]) } / Double(rows.count)
            #expect(shap[index].feature == feature.name)
            #expect(abs(shap[index].meanAbsolute - expected) < 1e-9, "\(feature.name)")
        }

        // Bootstrap intervals and slices.
        let intervals = try #require(evaluation.intervals)
        #expect(intervals.resamples == 1000 && intervals.confidence == 0.95 && intervals.seed == 42)
        for (metric, value) in evaluation.metrics where !metric.contains("[") {
            let interval = try #require(intervals.intervals[metric], "\(metric)")
            #expect(interval.lower <= value && value <= interval.upper, "\(metric) \(value) outside [\(interval.lower), \(interval.upper)]")
            #expect(interval.lower < interval.upper, "\(metric)")
        }
        let slices = try #require(evaluation.slices)
        #expect(slices.map(\.value) == ["apac", "eu", "us"])
        #expect(slices.allSatisfy { $0.feature == "region" && $0.metrics["auc"] != nil })
        #expect(slices.map(\.rows).reduce(0, +) == evaluation.holdoutRows)

        // The event says what matters most.
        let evaluated = try setup.events(.evaluated)
        #expect(evaluated.last?.message.contains("most important (auc drop when permuted): \(explanations.importances[0].feature)") == true)
    }
}
