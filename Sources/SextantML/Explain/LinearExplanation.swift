/// Exact SHAP values of a built-in linear model for some rows (DESIGN §9): how much each
/// feature moves the model's raw output away from its value at the training rows' mean
/// inputs.
///
/// Per row `values[row][feature] + … + base[row] == raw[row]` (to rounding): the values of
/// the row's features sum to its raw output minus the base.
package struct LinearExplanation: Sendable, Hashable {
    /// Per row, per feature in the model's order (`preprocessing.features`), `Σ wᵢ·(zᵢ − z̄ᵢ)`
    /// over the feature's inputs (a categorical feature's one-hot inputs together).
    package var values: [[Double]]
    /// Per row, the raw output at the reference inputs `z̄`: the intercept plus `w·z̄`. The
    /// same for every row of a binary or regression model; for softmax it is the explained
    /// class's.
    package var base: [Double]
    /// Per row, what is explained: binary — the positive class's logit; multiclass — the
    /// predicted class's score (before softmax); regression — the value.
    package var raw: [Double]
    /// Multiclass: per row, the index in `classes` of the class explained, the predicted one
    /// (the most probable, the first on ties); nil for other tasks.
    package var outputClass: [Int]?

    package init(values: [[Double]], base: [Double], raw: [Double], outputClass: [Int]?) {
        self.values = values
        self.base = base
        self.raw = raw
        self.outputClass = outputClass
    }
}
