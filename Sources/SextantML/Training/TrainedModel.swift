package import Foundation

/// What a model predicts.
package enum ModelTask: String, Codable, Sendable, Hashable {
    case binaryClassification = "binary-classification"
    case multiclassClassification = "multiclass-classification"
    case regression
}

/// The built-in trainers, with the version of each algorithm: it changes only when the
/// same inputs would give another model (DESIGN §2 fingerprints).
public enum BuiltinTrainer: String, Codable, Sendable, Hashable, CaseIterable {
    case logisticRegression = "logistic-regression"
    case softmaxRegression = "softmax-regression"
    case linearRegression = "linear-regression"

    package var algorithmVersion: Int { 1 }

    package var task: ModelTask {
        switch self {
        case .logisticRegression: .binaryClassification
        case .softmaxRegression: .multiclassClassification
        case .linearRegression: .regression
        }
    }
}

/// A trained built-in model: the file `serve-model` loads (`model.json`, format
/// `sextant.model/v1`, documented in docs/models.md). Deterministic: the same data, spec
/// and seed give byte-identical files.
public struct TrainedModel: Codable, Sendable, Hashable {
    package static let currentFormat = "sextant.model/v1"

    package var format: String
    package var task: ModelTask
    package var trainer: BuiltinTrainer
    package var algorithmVersion: Int
    package var target: String
    /// Class labels in `ClassOrder` (classifiers); probability columns follow it.
    package var classes: [String]?
    package var preprocessing: Preprocessor
    /// One row per output: binary — the positive (last) class; multiclass — every class;
    /// regression — the value.
    package var weights: [[Double]]
    package var intercepts: [Double]
    package var hyperparameters: Hyperparameters
    package var training: ConvergenceReport
    package var trainingRows: Int

    package struct Hyperparameters: Codable, Sendable, Hashable {
        package var l2: Double
        package var maxIterations: Int
        package var tolerance: Double
    }

    /// Predictions for rows of raw feature values (in `preprocessing.features` order).
    package func predict(_ rows: [[FeatureValue]]) -> Predictions {
        var unseen = 0
        let inputs = rows.map { preprocessing.transform($0, unseen: &unseen) }
        return predict(inputs: inputs, unseenCategories: unseen)
    }

    func predict(inputs: [[Double]], unseenCategories: Int = 0) -> Predictions {
        var outputs: [[Double]] = []
        outputs.reserveCapacity(inputs.count)
        for row in inputs {
            let scores = weights.indices.map { index in
                zip(weights[index], row).reduce(intercepts[index]) { $0 + $1.0 * $1.1 }
            }
            switch task {
            case .regression:
                outputs.append(scores)
            case .binaryClassification:
                let positive = Solvers.sigmoid(scores[0])
                outputs.append([1 - positive, positive])
            case .multiclassClassification:
                let largest = scores.max() ?? 0
                let exponentials = scores.map { Foundation.exp($0 - largest) }
                let total = exponentials.reduce(0, +)
                outputs.append(exponentials.map { $0 / total })
            }
        }
        return Predictions(task: task, classes: classes ?? [], outputs: outputs, unseenCategories: unseenCategories)
    }

    package func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// Reads a model file, refusing formats this version does not know.
    package static func decode(_ data: Data) throws -> TrainedModel {
        let model = try JSONDecoder().decode(TrainedModel.self, from: data)
        guard model.format == currentFormat else {
            throw TrainingError("model format \(model.format) is not \(currentFormat); retrain it with this version of Sextant")
        }
        return model
    }
}

/// What a model answered for some rows.
package struct Predictions: Sendable, Hashable {
    package var task: ModelTask
    package var classes: [String]
    /// Per row: class probabilities (classifiers, in `classes` order) or `[value]`.
    package var outputs: [[Double]]
    /// Category values that were not seen in training (each became all zeros).
    package var unseenCategories: Int

    /// The predicted label (the most probable class, the first on ties) or value.
    package var labels: [String] {
        switch task {
        case .regression: outputs.map { formatNumber($0[0]) }
        default: outputs.map { classes[Self.mostProbable($0)] }
        }
    }

    /// The index of a row's largest probability, the first on ties (NumPy's `argmax`).
    static func mostProbable(_ row: [Double]) -> Int {
        row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0
    }
}

public struct TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
