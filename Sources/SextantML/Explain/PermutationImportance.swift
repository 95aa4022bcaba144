/// One feature's permutation importance: how much the score falls, on average over the
/// repeats, when the feature's column is shuffled.
package struct PermutationImportance: Sendable, Hashable {
    /// scikit-learn's `importances_mean`.
    package var mean: Double
    /// scikit-learn's `importances_std` (population standard deviation).
    package var std: Double
    /// Each repeat's decrease of the score, in repeat order (`importances`).
    package var decreases: [Double]

    package init(mean: Double, std: Double, decreases: [Double]) {
        self.mean = mean
        self.std = std
        self.decreases = decreases
    }
}
