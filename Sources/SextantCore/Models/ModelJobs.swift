public import Foundation
public import SextantAPI

/// The files of the watched root at a commit, by path (Git blob ids): what a trainer's or
/// a server's run directory holds.
public struct Workspace: Sendable, Hashable {
    public var commit: String
    public var files: [String: String]

    public init(commit: String, files: [String: String]) {
        self.commit = commit
        self.files = files
    }
}

/// A column as the contract declares it: what the tabular convention's datatype and the
/// built-in preprocessing follow.
public struct FeatureColumn: Sendable, Hashable, Codable {
    public var name: String
    public var logicalType: LogicalType
    /// `validValues` of a text column: categories even when training lacks some.
    public var categories: [String]

    public init(name: String, logicalType: LogicalType, categories: [String] = []) {
        self.name = name
        self.logicalType = logicalType
        self.categories = categories
    }
}

/// What the rows are and how they split (the same for training and evaluation).
public struct TrainingData: Sendable, Hashable {
    public var dataset: String
    public var location: DataLocation
    public var sha256: String
    public var task: ModelTask
    public var target: String
    public var targetType: LogicalType
    public var features: [FeatureColumn]
    public var holdout: Double
    public var splitSeed: UInt64
    public var stratify: Bool

    public init(dataset: String, location: DataLocation, sha256: String, task: ModelTask, target: String, targetType: LogicalType,
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
public struct TrainingJob: Sendable, Hashable {
    public enum Trainer: Sendable, Hashable {
        case builtin(BuiltinTrainer)
        /// An external command, run in a workspace of the commit.
        case command([String], Workspace)
    }

    public var model: String
    public var fingerprint: String
    public var commit: String
    public var data: TrainingData
    public var trainer: Trainer
    public var hyperparameters: [String: JSONValue]
    public var seed: UInt64
    public var timeout: Duration
    public var contractSha256: String

    public init(model: String, fingerprint: String, commit: String, data: TrainingData, trainer: Trainer, hyperparameters: [String: JSONValue],
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
    public var trainerName: String {
        switch trainer {
        case .builtin(let builtin): builtin.rawValue
        case .command(let command, _): command.joined(separator: " ")
        }
    }
}

/// What a finished training produced.
public struct TrainingOutput: Sendable, Hashable {
    /// The trained files, relative to the state directory.
    public var modelDirectory: String
    public var trainingRows: Int
    public var holdoutRows: Int
    /// A classifier's class labels in sorted order (DESIGN §5: `false` before `true`), as
    /// the rows' target has them; empty for a regression.
    public var classes: [String]

    public init(modelDirectory: String, trainingRows: Int, holdoutRows: Int, classes: [String] = []) {
        self.modelDirectory = modelDirectory
        self.trainingRows = trainingRows
        self.holdoutRows = holdoutRows
        self.classes = classes
    }
}

/// How to start a revision's server (DESIGN §5 "Serving command contract").
public struct ServingLaunch: Sendable, Hashable, Codable {
    public enum Runtime: Sendable, Hashable, Codable {
        case builtin
        /// The command, its `serving.env`, and the commit whose files it runs among.
        case command([String], env: [String: String], commit: String)
    }

    public var model: String
    public var version: Int
    public var revision: Int
    /// The version's files, relative to the state directory.
    public var modelDirectory: String
    public var runtime: Runtime

    public init(model: String, version: Int, revision: Int, modelDirectory: String, runtime: Runtime) {
        self.model = model
        self.version = version
        self.revision = revision
        self.modelDirectory = modelDirectory
        self.runtime = runtime
    }
}

/// Evaluate a revision through its serving path; with the revision that serves, on the
/// same holdout, when the model has an incumbent rule.
public struct EvaluationJob: Sendable, Hashable {
    public var model: String
    public var fingerprint: String
    public var version: ModelVersion
    public var revision: Int
    public var servingFingerprint: String
    public var launch: ServingLaunch
    /// The files a `command` server runs among (nil for built-in servers).
    public var workspace: Workspace?
    public var data: TrainingData
    public var gates: [Gate]
    public var incumbent: Incumbent?
    public var commit: String

    public struct Incumbent: Sendable, Hashable {
        public var rule: IncumbentSpec
        public var revision: Int
        public var launch: ServingLaunch
        public var workspace: Workspace?

        public init(rule: IncumbentSpec, revision: Int, launch: ServingLaunch, workspace: Workspace?) {
            self.rule = rule
            self.revision = revision
            self.launch = launch
            self.workspace = workspace
        }
    }

    public init(model: String, fingerprint: String, version: ModelVersion, revision: Int, servingFingerprint: String, launch: ServingLaunch,
                workspace: Workspace?, data: TrainingData, gates: [Gate], incumbent: Incumbent?, commit: String) {
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
public struct PackageJob: Sendable, Hashable {
    public var model: String
    public var version: ModelVersion
    public var revision: ModelRevision
    public var evaluation: Evaluation
    public var data: TrainingData
    public var contract: ContractLabel
    public var commitDate: Date?

    public init(model: String, version: ModelVersion, revision: ModelRevision, evaluation: Evaluation, data: TrainingData,
                contract: ContractLabel, commitDate: Date?) {
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
public struct ServingJob: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        /// Takes all traffic once ready (a first deploy, a replacement, a fast rollback) or
        /// keeps what serves running.
        case stable
        /// A canary's candidate: starts at its first step's weight.
        case candidate
    }

    public var model: String
    public var role: Role
    public var launch: ServingLaunch
    public var workspace: Workspace?
    public var replicas: Int
    /// Replicas to keep (alive and of this revision); the others are stopped.
    public var keep: [Replica]
    /// Replicas of other revisions, stopped once this one is ready.
    public var retire: [Replica]

    public init(model: String, role: Role = .stable, launch: ServingLaunch, workspace: Workspace?, replicas: Int, keep: [Replica], retire: [Replica]) {
        self.model = model
        self.role = role
        self.launch = launch
        self.workspace = workspace
        self.replicas = replicas
        self.keep = keep
        self.retire = retire
    }
}
