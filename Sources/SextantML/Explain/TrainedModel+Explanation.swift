/// Exact linear SHAP (DESIGN §9): for a linear model over standardised inputs the Shapley
/// value of input `i` against the training mean is `φᵢ = wᵢ·(zᵢ − z̄ᵢ)`, with no sampling
/// and no approximation.
extension TrainedModel {
    /// The SHAP values of rows of raw feature values (in `preprocessing.features` order).
    ///
    /// The reference `z̄` is the training rows' mean of each input: 0 for a numeric input
    /// (standardised with the training mean; a missing value is 0 too, so it contributes
    /// nothing), and for a category the share of training rows holding it
    /// (`FeatureTransform.shares`; 0 in model files written before shares were stored, which
    /// keeps the sum exact but measures a categorical feature against "no category").
    package func explain(_ rows: [[FeatureValue]]) -> LinearExplanation {
        var unseen = 0
        let inputs = rows.map { preprocessing.transform($0, unseen: &unseen) }
        return explain(inputs: inputs)
    }

    /// The SHAP values of rows already transformed into model inputs.
    func explain(inputs: [[Double]]) -> LinearExplanation {
        let reference = referenceInputs
        // Which inputs belong to which feature: the half-open ranges of the input layout.
        var ranges: [Range<Int>] = []
        var start = 0
        for feature in preprocessing.features {
            ranges.append(start..<start + feature.width)
            start += feature.width
        }
        var outputClass: [Int]?
        if task == .multiclassClassification {
            outputClass = predict(inputs: inputs).outputs.map(Predictions.mostProbable)
        }
        var values: [[Double]] = []
        var base: [Double] = []
        var raw: [Double] = []
        values.reserveCapacity(inputs.count)
        base.reserveCapacity(inputs.count)
        raw.reserveCapacity(inputs.count)
        for (row, z) in inputs.enumerated() {
            let output = outputClass?[row] ?? 0
            let w = weights[output]
            var rowBase = intercepts[output], rowRaw = intercepts[output]
            var attributions = [Double](repeating: 0, count: ranges.count)
            for (feature, range) in ranges.enumerated() {
                var attribution = 0.0
                for input in range {
                    attribution += w[input] * (z[input] - reference[input])
                    rowBase += w[input] * reference[input]
                    rowRaw += w[input] * z[input]
                }
                attributions[feature] = attribution
            }
            values.append(attributions)
            base.append(rowBase)
            raw.append(rowRaw)
        }
        return LinearExplanation(values: values, base: base, raw: raw, outputClass: outputClass)
    }

    /// The training rows' mean of each model input, in the input layout.
    var referenceInputs: [Double] {
        preprocessing.features.flatMap { feature -> [Double] in
            switch feature.kind {
            case .numeric: [0]
            case .categorical:
                feature.shares.flatMap { $0.count == feature.width ? $0 : nil } ?? [Double](repeating: 0, count: feature.width)
            }
        }
    }
}
