import Testing
@testable import SextantML

/// `PermutationPlan`: deterministic permutations, one stream per (feature, repeat), and
/// scikit-learn's arithmetic of importances.
@Suite struct ExplainPermutationTests {
    @Test("every permutation is a permutation of the rows, the same for the same seed whatever the order of asking")
    func deterministic() {
        let plan = PermutationPlan(rows: 50, features: 3, repeats: 5, seed: 42)
        let forward = (0..<3).flatMap { feature in (0..<5).map { plan.permutation(feature: feature, repeat: $0) } }
        let backward = (0..<3).reversed().flatMap { feature in (0..<5).reversed().map { plan.permutation(feature: feature, repeat: $0) } }.reversed()
        #expect(forward == Array(backward))
        for order in forward { #expect(order.sorted() == Array(0..<50)) }
        #expect(Set(forward).count == forward.count, "every (feature, repeat) has its own permutation")
        #expect(PermutationPlan(rows: 50, features: 3, seed: 43).permutation(feature: 0, repeat: 0) != forward[0])
        #expect(PermutationPlan(rows: 1, features: 1, seed: 42).permutation(feature: 0, repeat: 0) == [0])
    }

    @Test("importance: baseline minus permuted (permuted minus baseline when lower is better), mean and population std")
    func arithmetic() {
        let higher = PermutationPlan.importance(baseline: 0.9, permuted: [0.8, 0.7, 0.9, 0.6, 0.5], lowerIsBetter: false)
        #expect(abs(higher.mean - 0.2) < 1e-12)
        // np.std([0.1, 0.2, 0, 0.3, 0.4]) = sqrt(0.02)
        #expect(abs(higher.std - 0.02.squareRoot()) < 1e-12)
        let lower = PermutationPlan.importance(baseline: 1.0, permuted: [1.5, 2.0], lowerIsBetter: true)
        #expect(lower.decreases == [0.5, 1.0])
        #expect(abs(lower.mean - 0.75) < 1e-12 && abs(lower.std - 0.25) < 1e-12)
    }

    @Test("in process: a feature the model ignores has importance 0, the one it uses a large one")
    func inProcess() throws {
        // y = 3·x₀ exactly; x₁ is noise the regression gives (almost) no weight.
        var generator = SplitMix64(seed: 7)
        let rows = (0..<200).map { _ in (Double(generator.next() % 1000) / 100, Double(generator.next() % 1000) / 100) }
        let columns = [FeatureColumn.numeric(name: "x0", values: rows.map(\.0)), .numeric(name: "x1", values: rows.map(\.1))]
        let model = try ModelTrainer.train(columns: columns, targets: rows.map { formatNumber(3 * $0.0) },
                                           TrainingSpec(trainer: .linearRegression, target: "y", targetType: .number, features: [],
                                                        l2: 1e-9, trainRows: Array(0..<200)))
        let holdout = rows.map { [FeatureValue.number($0.0), .number($0.1)] }
        let truth = rows.map { 3 * $0.0 }
        func r2(_ values: [[FeatureValue]]) -> Double { RegressionMetrics.r2(truth, model.predict(values).outputs.map { $0[0] }) }
        let plan = PermutationPlan(rows: holdout.count, features: 2, seed: 42)
        var asked: [Int] = []
        let importances = plan.importances(baseline: r2(holdout), lowerIsBetter: false) { feature, order in
            asked.append(feature)
            var permuted = holdout
            for (position, source) in order.enumerated() { permuted[position][feature] = holdout[source][feature] }
            return r2(permuted)
        }
        #expect(asked == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        #expect(importances[0].mean > 1.5, "shuffling the only signal loses about twice the variance: \(importances[0])")
        #expect(abs(importances[1].mean) < 1e-6 && importances[1].std < 1e-6, "\(importances[1])")
        #expect(importances[0].decreases.count == 5)
    }
}
