/// Permutation importance as scikit-learn's `permutation_importance` defines it (DESIGN §9),
/// with the planning apart from the scoring: the plan says which rows each permuted column
/// takes its values from, and the caller scores the holdout so permuted however it likes
/// (in process, or through a model server).
///
/// Repeat `r` of feature `j` replaces the feature's column of the holdout by the same column
/// read in the order `permutation(feature: j, repeat: r)` gives (row `i` takes the value of
/// row `rows[i]`), every other column untouched; its importance is the holdout score minus
/// the permuted score (for a metric where lower is better, the permuted minus the holdout's),
/// so a bigger importance always means the model leans on the feature more.
package struct PermutationPlan: Sendable, Hashable {
    /// Holdout rows.
    package let rows: Int
    /// Features, in the model's order.
    package let features: Int
    /// Permutations per feature (scikit-learn's `n_repeats`).
    package let repeats: Int
    /// What every permutation is derived from (the split seed at evaluation).
    package let seed: UInt64

    package init(rows: Int, features: Int, repeats: Int = 5, seed: UInt64) {
        precondition(rows >= 0 && features >= 0 && repeats > 0, "a permutation plan needs rows ≥ 0, features ≥ 0 and repeats > 0")
        self.rows = rows
        self.features = features
        self.repeats = repeats
        self.seed = seed
    }

    /// The row order of one permuted column: a Fisher–Yates shuffle of `0..<rows` (for `i`
    /// from `rows − 1` down to 1, swap `i` with `next() % (i + 1)`, as `Split` shuffles) driven
    /// by SplitMix64 seeded with the first output of SplitMix64(`seed ^ (feature << 32 | repeat)`).
    /// Each (feature, repeat) has its own stream, so the order in which permutations are
    /// asked for changes nothing.
    package func permutation(feature: Int, repeat index: Int) -> [Int] {
        precondition((0..<features).contains(feature) && (0..<repeats).contains(index), "permutation \(feature), \(index) is outside the plan")
        var order = Array(0..<rows)
        guard rows > 1 else { return order }
        var generator = SplitMix64(seed: streamSeed(feature: feature, repeat: index))
        for i in stride(from: rows - 1, through: 1, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        return order
    }

    /// The seed of one (feature, repeat) stream. Seeds of SplitMix64 that differ by its
    /// increment give the same stream shifted by one, so the stream index is mixed through
    /// the generator's output function rather than added.
    func streamSeed(feature: Int, repeat index: Int) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(feature) << 32 | UInt64(index)))
        return mixer.next()
    }

    /// One feature's importance from the holdout score and the scores of its permuted
    /// holdouts: the mean and the population standard deviation (NumPy's `std`, ddof 0) of
    /// the decreases, as `permutation_importance`'s `importances_mean` and `importances_std`.
    package static func importance(baseline: Double, permuted: [Double], lowerIsBetter: Bool) -> PermutationImportance {
        let decreases = permuted.map { lowerIsBetter ? $0 - baseline : baseline - $0 }
        let count = Double(max(1, decreases.count))
        let mean = decreases.reduce(0, +) / count
        let variance = decreases.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        return PermutationImportance(mean: mean, std: variance.squareRoot(), decreases: decreases)
    }

    /// The whole computation in process: every feature's importance, in the model's feature
    /// order, with `score(feature, rows)` the metric on the holdout whose column `feature`
    /// is read in the order `rows` (the plan's permutation) and `baseline` the metric on the
    /// holdout as it is. Features are scored one after another, repeats in order.
    package func importances(baseline: Double, lowerIsBetter: Bool,
                             score: (_ feature: Int, _ rows: [Int]) throws -> Double) rethrows -> [PermutationImportance] {
        try (0..<features).map { feature in
            let permuted = try (0..<repeats).map { try score(feature, permutation(feature: feature, repeat: $0)) }
            return Self.importance(baseline: baseline, permuted: permuted, lowerIsBetter: lowerIsBetter)
        }
    }
}
