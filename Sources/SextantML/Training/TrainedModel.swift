public import Foundation

/// What a model predicts.
public enum ModelTask: String, Codable, Sendable, Hashable {
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

    public var algorithmVersion: Int { 1 }

    public var task: ModelTask {
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
    public static let currentFormat = "sextant.model/v1"

    public var format: String
    public var task: ModelTask
    public var trainer: BuiltinTrainer
    public var algorithmVersion: Int
    public var target: String
    /// Class labels in `ClassOrder` (classifiers); probability columns follow it.
    public var classes: [String]?
    public var preprocessing: Preprocessor
    /// One row per output: binary — the positive (last) class; multiclass — every class;
    /// regression — the value.
    public var weights: [[Double]]
    public var intercepts: [Double]
    public var hyperparameters: Hyperparameters
    public var training: ConvergenceReport
    public var trainingRows: Int

    public struct Hyperparameters: Codable, Sendable, Hashable {
        public var l2: Double
        public var maxIterations: Int
        public var tolerance: Double
    }

    /// Predictions for rows of raw feature values (in `preprocessing.features` order).
    public func predict(_ rows: [[FeatureValue]]) -> Predictions {
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

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// Reads a model file, refusing formats this version does not know.
    public static func decode(_ data: Data) throws -> TrainedModel {
        let model = try JSONDecoder().decode(TrainedModel.self, from: data)
        guard model.format == currentFormat else {
            throw TrainingError("model format \(model.format) is not \(currentFormat); retrain it with this version of Sextant")
        }
        return model
    }
}

/// What a model answered for some rows.
public struct Predictions: Sendable, Hashable {
    public var task: ModelTask
    public var classes: [String]
    /// Per row: class probabilities (classifiers, in `classes` order) or `[value]`.
    public var outputs: [[Double]]
    /// Category values that were not seen in training (each became all zeros).
    public var unseenCategories: Int

    /// The predicted label (the most probable class, the first on ties) or value.
    public var labels: [String] {
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
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
