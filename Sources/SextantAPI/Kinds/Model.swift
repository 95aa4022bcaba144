import Foundation

/// A model: what to train, how to judge it, how to serve it. `kind: Model`.
public struct Model: Decodable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var metadata: ObjectMeta
    package var spec: ModelSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec
    }
}

package struct ModelSpec: Decodable, Sendable, Hashable {
    package var task: ModelTask
    /// The name of a `Dataset`.
    package var dataset: String
    /// The column to predict.
    package var target: String
    /// The input columns; nil means every contract column except the target, primary keys and
    /// the gates' sensitive features.
    package var features: [String]?
    package var training: TrainingSpec
    package var evaluation: EvaluationSpec?
    package var serving: ServingSpec?
    package var monitoring: MonitoringSpec?
    /// The classified columns this model may take as features, each with its reason.
    package var privacy: PrivacySpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, dataset, target, features, training, evaluation, serving, monitoring, privacy
    }
}

/// `privacy`: what a model may do with classified columns (DESIGN §9).
package struct PrivacySpec: Decodable, Sendable, Hashable {
    /// Classified contract columns listed in `features` on purpose.
    package var allowClassified: [ClassifiedAllowance]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case allowClassified
    }
}

/// One classified column a model may take as a feature, and why: the model card lists both.
package struct ClassifiedAllowance: Decodable, Sendable, Hashable {
    package var column: String
    package var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case column, reason
    }
}

package enum ModelTask: String, ManifestEnum {
    case binaryClassification = "binary-classification"
    case multiclassClassification = "multiclass-classification"
    case regression

    package var isClassification: Bool { self != .regression }
}

package struct TrainingSpec: Decodable, Sendable, Hashable {
    /// A built-in trainer; exclusive with `command`.
    package var trainer: BuiltinTrainer?
    /// An external trainer's command line; exclusive with `trainer`.
    package var command: [String]?
    /// The folder whose files define an external trainer.
    package var context: String?
    package var hyperparameters: [String: JSONValue]?
    package var seed: UInt64?
    package var timeout: ManifestDuration?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case trainer, command, context, hyperparameters, seed, timeout
    }

    /// The default `training.timeout`.
    package static let defaultTimeout = ManifestDuration("30m")!
}

package enum BuiltinTrainer: String, ManifestEnum {
    case logisticRegression = "logistic-regression"
    case softmaxRegression = "softmax-regression"
    case linearRegression = "linear-regression"

    /// The tasks this trainer learns.
    package var tasks: [ModelTask] {
        switch self {
        case .logisticRegression: [.binaryClassification]
        case .softmaxRegression: [.binaryClassification, .multiclassClassification]
        case .linearRegression: [.regression]
        }
    }

    /// The hyperparameters built-in trainers accept.
    package static let hyperparameters = ["l2", "maxIterations", "tolerance"]
}

package struct EvaluationSpec: Decodable, Sendable, Hashable {
    package var split: SplitSpec?
    package var gates: [Gate]?
    package var incumbent: IncumbentSpec?
    /// Whether a revision without explanations (DESIGN §9) fails its gates. Default `optional`.
    package var explainability: Explainability?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case split, gates, incumbent, explainability
    }
}

/// `evaluation.explainability`: explanations are computed at every evaluation; `required`
/// makes a revision whose explanations could not be computed fail its gates.
package enum Explainability: String, ManifestEnum {
    case optional, required
}

package struct SplitSpec: Decodable, Sendable, Hashable {
    /// The fraction held out for evaluation, in (0, 1). Default 0.2.
    package var holdout: Double?
    /// Default: the training seed.
    package var seed: UInt64?
    /// Default: true for classification.
    package var stratify: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case holdout, seed, stratify
    }

    package static let defaultHoldout = 0.2
}

/// A quality bar a revision must meet before it takes traffic.
package struct Gate: Decodable, Sendable, Hashable {
    package var metric: MetricName
    package var min: Double?
    package var max: Double?
    /// The column fairness metrics group by.
    package var sensitiveFeature: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, min, max, sensitiveFeature
    }
}

/// Never ship worse than what serves now.
package struct IncumbentSpec: Decodable, Sendable, Hashable {
    package var metric: MetricName
    /// How much worse than the serving revision the candidate may be. Default 0.
    package var maxRegression: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, maxRegression
    }
}

package enum MetricName: String, ManifestEnum {
    case accuracy, precision, recall, f1, auc, prAuc, logLoss, macroF1, weightedF1
    case rmse, mae, r2
    case demographicParityDifference, demographicParityRatio, equalizedOddsDifference

    /// True for metrics that compare groups of a sensitive feature.
    package var isFairness: Bool {
        switch self {
        case .demographicParityDifference, .demographicParityRatio, .equalizedOddsDifference: true
        default: false
        }
    }

    /// The tasks the metric is defined for.
    package var tasks: [ModelTask] {
        switch self {
        case .accuracy, .logLoss, .macroF1, .weightedF1: [.binaryClassification, .multiclassClassification]
        case .precision, .recall, .f1, .auc, .prAuc: [.binaryClassification]
        case .demographicParityDifference, .demographicParityRatio, .equalizedOddsDifference: [.binaryClassification]
        case .rmse, .mae, .r2: [.regression]
        }
    }

    /// The values the metric can take.
    package var range: ClosedRange<Double> {
        switch self {
        case .logLoss, .rmse, .mae: 0...Double.infinity
        case .r2: -Double.infinity...1
        default: 0...1
        }
    }

    /// True when smaller values are better (losses, errors, disparities).
    package var lowerIsBetter: Bool {
        switch self {
        case .logLoss, .rmse, .mae, .demographicParityDifference, .equalizedOddsDifference: true
        default: false
        }
    }
}

package struct ServingSpec: Decodable, Sendable, Hashable {
    package var runtime: ServingRuntime?
    /// An Open Inference Protocol v2 server's command line (runtime `command`).
    package var command: [String]?
    package var context: String?
    /// A Ray Serve application or deployment in the watched root, as `MODULE:ATTRIBUTE`
    /// (runtime `rayServe`).
    package var importPath: String?
    /// Values may use `${SEXTANT_*}`.
    package var env: [String: String]?
    /// A fixed number of replicas; exclusive with `autoscaling`.
    package var replicas: Int?
    /// Replicas scaled by load between two bounds; exclusive with `replicas`.
    package var autoscaling: AutoscalingSpec?
    /// Names of `SLO`s that judge this model.
    package var slos: [String]?
    /// The name of a `RolloutPolicy`; default: replace.
    package var rollout: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case runtime, command, context, importPath, env, replicas, autoscaling, slos, rollout
    }

    /// The most replicas a revision runs (`replicas`, and `autoscaling.max`).
    package static let maxReplicas = 64

    /// The variables `serving.env` values may refer to.
    package static let substitutableVariables = [
        "SEXTANT_PORT", "SEXTANT_PORT_AUX1", "SEXTANT_PORT_AUX2", "SEXTANT_MODEL_DIR", "SEXTANT_MODEL_NAME", "SEXTANT_MODEL_VERSION",
    ]

    /// A `serving.env` value with each `${SEXTANT_*}` replaced by its value in
    /// `environment` (empty when it has none).
    package static func substitute(_ value: String, _ environment: [String: String]) -> String {
        var result = value
        for name in substitutableVariables {
            result = result.replacingOccurrences(of: "${\(name)}", with: environment[name] ?? "")
        }
        return result
    }

    /// The variables a `rayServe` application's `serving.env` may refer to: the model's,
    /// not the ports (Ray Serve's proxy owns them).
    package static let rayServeSubstitutableVariables = ["SEXTANT_MODEL_DIR", "SEXTANT_MODEL_NAME", "SEXTANT_MODEL_VERSION"]
}

/// `serving.autoscaling`: Ray Serve's `autoscaling_config` (`min_replicas`, `max_replicas`,
/// `target_ongoing_requests`). Changing it rescales the revision that serves; it never
/// makes a new revision. The embedded runtime runs `min` replicas.
package struct AutoscalingSpec: Decodable, Sendable, Hashable {
    package var min: Int
    package var max: Int
    /// The requests in flight per replica the runtime scales towards; default 2 (Ray's).
    package var targetOngoingRequests: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case min, max, targetOngoingRequests
    }

    /// Ray Serve's default `target_ongoing_requests`.
    package static let defaultTargetOngoingRequests = 2.0
}

package enum ServingRuntime: String, ManifestEnum {
    /// Sextant's own OIP v2 server; built-in trainers' models only.
    case builtin
    /// The user's Open Inference Protocol v2 server, started as a command.
    case command
    /// The user's Ray Serve application (`importPath`); the Ray runtime's only.
    case rayServe
}

/// Drift detection and retraining (used by a later release; validated now).
package struct MonitoringSpec: Decodable, Sendable, Hashable {
    /// The prediction log (on by default: nil is every default).
    package var log: PredictionLogSpec?
    package var online: OnlineMetricsSpec?
    package var contract: LiveContractMode?
    package var drift: DriftSpec?
    package var retrain: RetrainSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case log, online, contract, drift, retrain
    }
}

/// `spec.monitoring.log` (DESIGN §7 "Prediction log").
package struct PredictionLogSpec: Decodable, Sendable, Hashable {
    /// The share of inference requests logged, 0…1 (default 1).
    package var sample: Double?
    /// The most segment bytes kept for the model (default 1Gi).
    package var maxBytes: ManifestBytes?
    /// How long segments are kept (default 14d).
    package var retention: ManifestDuration?

    package static let defaultMaxBytes = ManifestBytes("1Gi")!
    package static let defaultRetention = ManifestDuration("14d")!

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sample, maxBytes, retention
    }
}

/// `spec.monitoring.online`: the newest labelled rows online metrics are computed over.
package struct OnlineMetricsSpec: Decodable, Sendable, Hashable {
    /// Rows (default 1000).
    package var window: Int?

    package static let defaultWindow = 1000

    enum CodingKeys: String, CodingKey, CaseIterable {
        case window
    }
}

/// `spec.monitoring.contract`: whether logged inputs are checked against the data contract.
package enum LiveContractMode: String, ManifestEnum {
    case observe, off
}

/// `spec.monitoring.drift` (DESIGN §7 "Drift").
package struct DriftSpec: Decodable, Sendable, Hashable {
    package var method: DriftMethod?
    /// nil: the method's default (p-value 0.05; distance 0.1; psi 0.1).
    package var threshold: Double?
    /// Dataset drift when this share of features drifts (default 0.5).
    package var driftShare: Double?
    /// The newest logged rows of the serving revisions (default 1000).
    package var window: Int?
    /// How often drift and the retraining triggers are checked (default 1m).
    package var interval: ManifestDuration?

    package static let defaultDriftShare = 0.5
    package static let defaultWindow = 1000
    package static let defaultInterval = ManifestDuration("1m")!

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, threshold, driftShare, window, interval
    }
}

/// `auto` is Evidently's default rule; the others force one test for every feature.
package enum DriftMethod: String, ManifestEnum {
    case auto, ks, chiSquare, zTest, wasserstein, jensenShannon, psi
}

/// `spec.monitoring.retrain` (DESIGN §7 "Retraining").
package struct RetrainSpec: Decodable, Sendable, Hashable {
    package var on: [RetrainTrigger]?
    package var accuracy: AccuracyTrigger?
    /// Cron, five fields, UTC.
    package var schedule: CronSchedule?
    package var data: RetrainData?
    /// With `data: feedback`, the labelled production rows needed before a trigger retrains (default 200).
    package var minRows: Int?
    /// At most one retraining per cooldown (default 6h).
    package var cooldown: ManifestDuration?
    package var promotion: RetrainPromotion?

    package static let defaultMinRows = 200
    package static let defaultCooldown = ManifestDuration("6h")!

    enum CodingKeys: String, CodingKey, CaseIterable {
        case on, accuracy, schedule, data, minRows, cooldown, promotion
    }
}

/// What makes a retraining start.
package enum RetrainTrigger: String, ManifestEnum {
    /// Dataset drift on the serving revisions' newest rows.
    case drift
    /// The online metric of `accuracy` past its threshold.
    case accuracy
    /// A `uri:` dataset's content changed.
    case dataChange
    /// The cron `schedule`.
    case schedule
}

/// `retrain.accuracy`: the online metric, and the value past which it triggers: `below`
/// for metrics where higher is better, `above` for the others (`rmse`, `mae`, `logLoss`).
package struct AccuracyTrigger: Decodable, Sendable, Hashable {
    package var metric: SextantMetric
    package var below: Double?
    package var above: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, below, above
    }
}

/// The training table of a retraining.
package enum RetrainData: String, ManifestEnum {
    /// The dataset's rows plus the labelled production rows.
    case feedback
    /// The dataset's source as it is (a `uri:` dataset that changed).
    case source
}

/// How a better candidate reaches Git (DESIGN §8).
package enum RetrainPromotion: String, ManifestEnum {
    /// A branch and a pull request on the forge (the branch alone without one).
    case pullRequest
    /// The branch alone.
    case branch
    /// Neither: the evidence stays in status (`CandidateReady`).
    case none
}
