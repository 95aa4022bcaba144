/// A model: what to train, how to judge it, how to serve it. `kind: Model`.
public struct Model: Decodable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: ModelSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

public struct ModelSpec: Decodable, Sendable, Hashable {
    public var task: ModelTask
    /// The name of a `Dataset`.
    public var dataset: String
    /// The column to predict.
    public var target: String
    /// The input columns; nil means every contract column except the target, primary keys and
    /// the gates' sensitive features.
    public var features: [String]?
    public var training: TrainingSpec
    public var evaluation: EvaluationSpec?
    public var serving: ServingSpec?
    public var monitoring: MonitoringSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, dataset, target, features, training, evaluation, serving, monitoring
    }
}

public enum ModelTask: String, ManifestEnum {
    case binaryClassification = "binary-classification"
    case multiclassClassification = "multiclass-classification"
    case regression

    public var isClassification: Bool { self != .regression }
}

public struct TrainingSpec: Decodable, Sendable, Hashable {
    /// A built-in trainer; exclusive with `command`.
    public var trainer: BuiltinTrainer?
    /// An external trainer's command line; exclusive with `trainer`.
    public var command: [String]?
    /// The folder whose files define an external trainer.
    public var context: String?
    public var hyperparameters: [String: JSONValue]?
    public var seed: UInt64?
    public var timeout: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case trainer, command, context, hyperparameters, seed, timeout
    }

    /// The default `training.timeout`.
    public static let defaultTimeout = ManifestDuration("30m")!
}

public enum BuiltinTrainer: String, ManifestEnum {
    case logisticRegression = "logistic-regression"
    case softmaxRegression = "softmax-regression"
    case linearRegression = "linear-regression"

    /// The tasks this trainer learns.
    public var tasks: [ModelTask] {
        switch self {
        case .logisticRegression: [.binaryClassification]
        case .softmaxRegression: [.binaryClassification, .multiclassClassification]
        case .linearRegression: [.regression]
        }
    }

    /// The hyperparameters built-in trainers accept.
    public static let hyperparameters = ["l2", "maxIterations", "tolerance"]
}

public struct EvaluationSpec: Decodable, Sendable, Hashable {
    public var split: SplitSpec?
    public var gates: [Gate]?
    public var incumbent: IncumbentSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case split, gates, incumbent
    }
}

public struct SplitSpec: Decodable, Sendable, Hashable {
    /// The fraction held out for evaluation, in (0, 1). Default 0.2.
    public var holdout: Double?
    /// Default: the training seed.
    public var seed: UInt64?
    /// Default: true for classification.
    public var stratify: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case holdout, seed, stratify
    }

    public static let defaultHoldout = 0.2
}

/// A quality bar a revision must meet before it takes traffic.
public struct Gate: Decodable, Sendable, Hashable {
    public var metric: MetricName
    public var min: Double?
    public var max: Double?
    /// The column fairness metrics group by.
    public var sensitiveFeature: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, min, max, sensitiveFeature
    }
}

/// Never ship worse than what serves now.
public struct IncumbentSpec: Decodable, Sendable, Hashable {
    public var metric: MetricName
    /// How much worse than the serving revision the candidate may be. Default 0.
    public var maxRegression: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, maxRegression
    }
}

public enum MetricName: String, ManifestEnum {
    case accuracy, precision, recall, f1, auc, prAuc, logLoss, macroF1, weightedF1
    case rmse, mae, r2
    case demographicParityDifference, demographicParityRatio, equalizedOddsDifference

    /// True for metrics that compare groups of a sensitive feature.
    public var isFairness: Bool {
        switch self {
        case .demographicParityDifference, .demographicParityRatio, .equalizedOddsDifference: true
        default: false
        }
    }

    /// The tasks the metric is defined for.
    public var tasks: [ModelTask] {
        switch self {
        case .accuracy, .logLoss, .macroF1, .weightedF1: [.binaryClassification, .multiclassClassification]
        case .precision, .recall, .f1, .auc, .prAuc: [.binaryClassification]
        case .demographicParityDifference, .demographicParityRatio, .equalizedOddsDifference: [.binaryClassification]
        case .rmse, .mae, .r2: [.regression]
        }
    }

    /// The values the metric can take.
    public var range: ClosedRange<Double> {
        switch self {
        case .logLoss, .rmse, .mae: 0...Double.infinity
        case .r2: -Double.infinity...1
        default: 0...1
        }
    }

    /// True when smaller values are better (losses, errors, disparities).
    public var lowerIsBetter: Bool {
        switch self {
        case .logLoss, .rmse, .mae, .demographicParityDifference, .equalizedOddsDifference: true
        default: false
        }
    }
}

public struct ServingSpec: Decodable, Sendable, Hashable {
    public var runtime: ServingRuntime?
    /// An Open Inference Protocol v2 server's command line (runtime `command`).
    public var command: [String]?
    public var context: String?
    /// Values may use `${SEXTANT_*}`.
    public var env: [String: String]?
    public var replicas: Int?
    /// Names of `SLO`s that judge this model.
    public var slos: [String]?
    /// The name of a `RolloutPolicy`; default: replace.
    public var rollout: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case runtime, command, context, env, replicas, slos, rollout
    }

    /// The variables `serving.env` values may refer to.
    public static let substitutableVariables = [
        "SEXTANT_PORT", "SEXTANT_PORT_AUX1", "SEXTANT_PORT_AUX2", "SEXTANT_MODEL_DIR", "SEXTANT_MODEL_NAME", "SEXTANT_MODEL_VERSION",
    ]
}

public enum ServingRuntime: String, ManifestEnum {
    case builtin
    case command
}

/// Drift detection and retraining (used by a later release; validated now).
public struct MonitoringSpec: Decodable, Sendable, Hashable {
    public var drift: DriftSpec?
    public var retrain: RetrainSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case drift, retrain
    }
}

public struct DriftSpec: Decodable, Sendable, Hashable {
    public var method: DriftMethod?
    public var threshold: Double?
    public var window: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, threshold, window
    }
}

public enum DriftMethod: String, ManifestEnum {
    case auto, psi, ks, chiSquared
}

public struct RetrainSpec: Decodable, Sendable, Hashable {
    public var on: [RetrainTrigger]?
    public var promotion: RetrainPromotion?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case on, promotion
    }
}

public enum RetrainTrigger: String, ManifestEnum {
    case drift, dataChange
}

public enum RetrainPromotion: String, ManifestEnum {
    case pullRequest, commit
}
