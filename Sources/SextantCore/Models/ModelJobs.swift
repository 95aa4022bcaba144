package import Foundation
package import SextantAPI

/// The files of the watched root at a commit, by path (Git blob ids): what a trainer's or
/// a server's run directory holds.
package struct Workspace: Sendable, Hashable {
    package var commit: String
    package var files: [String: String]

    package init(commit: String, files: [String: String]) {
        self.commit = commit
        self.files = files
    }
}

/// A column as the contract declares it: what the tabular convention's datatype and the
/// built-in preprocessing follow.
package struct FeatureColumn: Sendable, Hashable, Codable {
    package var name: String
    package var logicalType: LogicalType
    /// `validValues` of a text column: categories even when training lacks some.
    package var categories: [String]
    /// For a classified column (DESIGN §9), its classification and the model's reason for
    /// taking it: the prediction log and the drift reference hold only keyed hashes of its
    /// values, and the model card lists it. nil: not classified.
    package var privacy: ClassifiedFeature?

    /// True for a classified column.
    package var isClassified: Bool { privacy != nil }

    package init(name: String, logicalType: LogicalType, categories: [String] = [], privacy: ClassifiedFeature? = nil) {
        self.name = name
        self.logicalType = logicalType
        self.categories = categories
        self.privacy = privacy
    }
}

/// What the rows are and how they split (the same for training and evaluation).
package struct TrainingData: Sendable, Hashable {
    package var dataset: String
    package var location: DataLocation
    package var sha256: String
    package var task: ModelTask
    package var target: String
    package var targetType: LogicalType
    package var features: [FeatureColumn]
    package var holdout: Double
    package var splitSeed: UInt64
    package var stratify: Bool

    package init(dataset: String, location: DataLocation, sha256: String, task: ModelTask, target: String, targetType: LogicalType,
                features: [FeatureColumn], holdout: Double, splitSeed: UInt64, stratify: Bool) {
        self.dataset = dataset
        self.location = location
        self.sha256 = sha256
        self.task = task
        self.target = target
        self.targetType = targetType
        self.features = features
        self.holdout = holdout
        self.splitSeed = splitSeed
        self.stratify = stratify
    }
}

/// Train one version.
package struct TrainingJob: Sendable, Hashable {
    package enum Trainer: Sendable, Hashable {
        case builtin(BuiltinTrainer)
        /// An external command, run in a workspace of the commit.
        case command([String], Workspace)
    }

    package var model: String
    package var fingerprint: String
    package var commit: String
    package var data: TrainingData
    package var trainer: Trainer
    package var hyperparameters: [String: JSONValue]
    package var seed: UInt64
    package var timeout: Duration
    package var contractSha256: String

    package init(model: String, fingerprint: String, commit: String, data: TrainingData, trainer: Trainer, hyperparameters: [String: JSONValue],
                seed: UInt64, timeout: Duration, contractSha256: String) {
        self.model = model
        self.fingerprint = fingerprint
        self.commit = commit
        self.data = data
        self.trainer = trainer
        self.hyperparameters = hyperparameters
        self.seed = seed
        self.timeout = timeout
        self.contractSha256 = contractSha256
    }

    /// How the trainer is named in the registry.
    package var trainerName: String {
        switch trainer {
        case .builtin(let builtin): builtin.rawValue
        case .command(let command, _): command.joined(separator: " ")
        }
    }
}

/// What a finished training produced.
package struct TrainingOutput: Sendable, Hashable {
    /// The trained files, relative to the state directory.
    package var modelDirectory: String
    package var trainingRows: Int
    package var holdoutRows: Int
    /// A classifier's class labels in sorted order (DESIGN §5: `false` before `true`), as
    /// the rows' target has them; empty for a regression.
    package var classes: [String]

    package init(modelDirectory: String, trainingRows: Int, holdoutRows: Int, classes: [String] = []) {
        self.modelDirectory = modelDirectory
        self.trainingRows = trainingRows
        self.holdoutRows = holdoutRows
        self.classes = classes
    }
}

/// How to start a revision's server (DESIGN §5 "Serving command contract").
package struct ServingLaunch: Sendable, Hashable, Codable {
    package enum Runtime: Sendable, Hashable, Codable {
        case builtin
        /// The command, its `serving.env`, and the commit whose files it runs among.
        case command([String], env: [String: String], commit: String)
        /// A user's own Ray Serve application (`serving.importPath`), its `serving.env`, and
        /// the commit whose files it runs among: the Ray runtime's only.
        case rayServe(importPath: String, env: [String: String], commit: String)
    }

    package var model: String
    package var version: Int
    package var revision: Int
    /// The version's files, relative to the state directory.
    package var modelDirectory: String
    package var runtime: Runtime
    /// `serving.autoscaling`: the runtime scales the revision between bounds by load (nil:
    /// a fixed number of replicas).
    package var autoscaling: ServingAutoscaling?

    package init(model: String, version: Int, revision: Int, modelDirectory: String, runtime: Runtime, autoscaling: ServingAutoscaling? = nil) {
        self.model = model
        self.version = version
        self.revision = revision
        self.modelDirectory = modelDirectory
        self.runtime = runtime
        self.autoscaling = autoscaling
    }
}

/// Scaling by load between two bounds (`serving.autoscaling`; Ray Serve's `autoscaling_config`):
/// a replica is added when each has more than `targetOngoingRequests` requests in flight.
package struct ServingAutoscaling: Sendable, Hashable, Codable {
    package var minReplicas: Int
    package var maxReplicas: Int
    package var targetOngoingRequests: Double

    package init(minReplicas: Int, maxReplicas: Int, targetOngoingRequests: Double) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.targetOngoingRequests = targetOngoingRequests
    }
}

/// Evaluate a revision through its serving path; with the revision that serves, on the
/// same holdout, when the model has an incumbent rule.
package struct EvaluationJob: Sendable, Hashable {
    package var model: String
    package var fingerprint: String
    package var version: ModelVersion
    package var revision: Int
    package var servingFingerprint: String
    package var launch: ServingLaunch
    /// The files a `command` server runs among (nil for built-in servers).
    package var workspace: Workspace?
    package var data: TrainingData
    package var gates: [Gate]
    package var incumbent: Incumbent?
    package var commit: String
    /// `evaluation.explainability`: whether missing explanations fail the gates.
    package var explainability: Explainability

    package struct Incumbent: Sendable, Hashable {
        package var rule: IncumbentSpec
        package var revision: Int
        package var launch: ServingLaunch
        package var workspace: Workspace?

        package init(rule: IncumbentSpec, revision: Int, launch: ServingLaunch, workspace: Workspace?) {
            self.rule = rule
            self.revision = revision
            self.launch = launch
            self.workspace = workspace
        }
    }

    package init(model: String, fingerprint: String, version: ModelVersion, revision: Int, servingFingerprint: String, launch: ServingLaunch,
                workspace: Workspace?, data: TrainingData, gates: [Gate], incumbent: Incumbent?, commit: String,
                explainability: Explainability = .optional) {
        self.explainability = explainability
        self.model = model
        self.fingerprint = fingerprint
        self.version = version
        self.revision = revision
        self.servingFingerprint = servingFingerprint
        self.launch = launch
        self.workspace = workspace
        self.data = data
        self.gates = gates
        self.incumbent = incumbent
        self.commit = commit
    }
}

/// Package a version that passed: a ModelPack artifact with its report and model card.
package struct PackageJob: Sendable, Hashable {
    package var model: String
    package var version: ModelVersion
    package var revision: ModelRevision
    package var evaluation: Evaluation
    package var data: TrainingData
    package var contract: ContractLabel
    package var commitDate: Date?
    /// The Model's annotations: the model card's considerations (DESIGN §9).
    package var annotations: [String: String]

    /// The classified columns the Model uses, with their reasons: the model card lists them.
    package var classifiedColumns: [ClassifiedFeature] { data.features.compactMap(\.privacy) }

    package init(model: String, version: ModelVersion, revision: ModelRevision, evaluation: Evaluation, data: TrainingData,
                contract: ContractLabel, commitDate: Date?, annotations: [String: String] = [:]) {
        self.annotations = annotations
        self.model = model
        self.version = version
        self.revision = revision
        self.evaluation = evaluation
        self.data = data
        self.contract = contract
        self.commitDate = commitDate
    }
}

/// Serve a revision with `replicas` processes (a first deploy or a replacement), or bring
/// the stable revision's replicas back to their count.
package struct ServingJob: Sendable, Hashable {
    package enum Role: String, Sendable, Hashable {
        /// Takes all traffic once ready (a first deploy, a replacement, a fast rollback) or
        /// keeps what serves running.
        case stable
        /// A canary's candidate: starts at its first step's weight.
        case candidate
    }

    package var model: String
    package var role: Role
    package var launch: ServingLaunch
    package var workspace: Workspace?
    package var replicas: Int
    /// Replicas to keep (alive and of this revision); the others are stopped.
    package var keep: [Replica]
    /// Replicas of other revisions, stopped once this one is ready.
    package var retire: [Replica]

    package init(model: String, role: Role = .stable, launch: ServingLaunch, workspace: Workspace?, replicas: Int, keep: [Replica], retire: [Replica]) {
        self.model = model
        self.role = role
        self.launch = launch
        self.workspace = workspace
        self.replicas = replicas
        self.keep = keep
        self.retire = retire
    }
}
