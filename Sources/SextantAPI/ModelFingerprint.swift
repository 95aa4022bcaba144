/// The fingerprints that decide what a model change costs (DESIGN §2): a new **training
/// fingerprint** makes a new version (training); a new **serving fingerprint** alone makes
/// a new revision (no training). Each is the SHA-256 of a canonical JSON encoding — keys
/// sorted, defaults filled in, no insignificant whitespace — pinned by a golden test vector.
public enum ModelFingerprint {
    /// Bump when the encoding changes (every model would retrain: do it on purpose).
    package static let trainingAlgorithm = "sextant.training/1"
    package static let servingAlgorithm = "sextant.serving/1"

    /// Who trains: a built-in trainer with its algorithm version, or an external command
    /// with the hash of every file under its context.
    public enum TrainerIdentity: Sendable, Hashable, Encodable {
        case builtin(name: String, algorithmVersion: Int)
        case command([String], contextSha256: String)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .builtin(let name, let version):
                try container.encode(["kind": JSONValue.string("builtin"), "name": .string(name), "algorithmVersion": .number(Double(version))])
            case .command(let command, let context):
                try container.encode(["kind": JSONValue.string("command"), "command": .array(command.map(JSONValue.string)), "contextSha256": .string(context)])
            }
        }
    }

    /// The training fingerprint of a model: `task`, `target`, the resolved features, the
    /// `training` block without `timeout`, the split, the dataset's content SHA-256, the
    /// SHA-256 of the contract table's semantics, the trainer's identity, and the features
    /// that are classified (which a version's reference sample and logged rows hold only as
    /// keyed hashes, so a change of them needs a version with a reference hashed to match).
    ///
    /// - Returns: nil when the model's dataset or contract table cannot be resolved.
    public static func training(of model: Model, in manifests: ManifestSet, datasetSha256: String, trainer: TrainerIdentity) -> String? {
        trainingDocument(of: model, in: manifests, datasetSha256: datasetSha256, trainer: trainer).map {
            Fingerprint.sha256(Array(trainingAlgorithm.utf8) + [0] + $0)
        }
    }

    /// The canonical JSON the training fingerprint hashes (what `plan` diffs to say which
    /// input changed).
    package static func trainingDocument(of model: Model, in manifests: ManifestSet, datasetSha256: String, trainer: TrainerIdentity) -> [UInt8]? {
        let spec = model.spec
        guard let dataset = manifests.dataset(named: spec.dataset), let table = manifests.table(of: dataset),
              let features = manifests.resolvedFeatures(of: model) else { return nil }
        struct Training: Encodable {
            var trainer: String?
            var command: [String]?
            var context: String?
            var hyperparameters: [String: JSONValue]
            var seed: UInt64
        }
        struct Split: Encodable {
            var holdout: Double
            var seed: UInt64
            var stratify: Bool
        }
        struct Classified: Encodable {
            var column: String
            var classification: String
        }
        struct Input: Encodable {
            var task: String
            var target: String
            var features: [String]
            var training: Training
            var split: Split
            var datasetSha256: String
            var contractSha256: String
            var trainer: TrainerIdentity
            /// Absent when no feature is classified, so those models' fingerprints stay as
            /// they were.
            var classified: [Classified]?
        }
        let seed = spec.training.seed ?? 0
        var hyperparameters = spec.training.hyperparameters ?? [:]
        if spec.training.trainer != nil {
            // Built-in defaults, filled in so that writing a default explicitly changes nothing.
            hyperparameters["maxIterations"] = hyperparameters["maxIterations"] ?? .number(100)
            hyperparameters["tolerance"] = hyperparameters["tolerance"] ?? .number(1e-6)
            hyperparameters["l2"] = hyperparameters["l2"] ?? .string("1/n")
        }
        let split = spec.evaluation?.split
        // Sorted by column: the order of `features` is in the fingerprint already. Labels
        // compare without regard to case, so they are hashed in lower case.
        let classified = manifests.classifiedFeatures(of: model)
            .map { Classified(column: $0.column, classification: $0.classification.lowercased()) }
            .sorted { $0.column < $1.column }
        let input = Input(
            task: spec.task.rawValue, target: spec.target, features: features,
            training: Training(trainer: spec.training.trainer?.rawValue, command: spec.training.command, context: spec.training.context,
                               hyperparameters: hyperparameters, seed: seed),
            split: Split(holdout: split?.holdout ?? SplitSpec.defaultHoldout, seed: split?.seed ?? seed,
                         stratify: split?.stratify ?? spec.task.isClassification),
            datasetSha256: datasetSha256, contractSha256: contractSemantics(of: table), trainer: trainer,
            classified: classified.isEmpty ? nil : classified)
        return Fingerprint.canonicalJSON(input)
    }

    /// The SHA-256 of what a contract table means for data: its properties (name,
    /// logicalType, required, unique, primaryKey, logicalTypeOptions, quality) and its
    /// table-level quality rules. Prose (descriptions, text rules' wording) never retrains,
    /// nor does the `classification` of a column the model does not take: what a
    /// classification changes (the default features, which features are hashed) is in the
    /// training fingerprint on its own.
    package static func contractSemantics(of table: ContractTable) -> String {
        struct Semantics: Encodable {
            var properties: [ContractProperty]
            var quality: [QualityRule]
        }
        let properties = (table.properties ?? []).map { property in
            var property = property
            property.classification = nil
            return property
        }
        return Fingerprint.of("sextant.contract-semantics/1", Semantics(properties: properties, quality: table.quality ?? []))
    }

    /// The serving fingerprint of a model: `runtime`, `command` or `importPath`, `env` and
    /// the hash of the files that define the server (a `command`'s `context`, a `rayServe`
    /// application's module folder); for `builtin`, the built-in server's version.
    /// `replicas`, `autoscaling`, `slos` and `rollout` are not in it: they scale or route a
    /// revision.
    public static func serving(of model: Model, contextSha256: String?, builtinServerVersion: Int) -> String {
        struct Input: Encodable {
            var runtime: String
            var command: [String]?
            /// Absent unless `rayServe`, so the other runtimes' fingerprints stay as they were.
            var importPath: String?
            var env: [String: String]
            var contextSha256: String?
            var builtinServerVersion: Int?
        }
        let serving = model.spec.serving
        let runtime = serving?.runtime?.rawValue ?? (model.spec.training.trainer != nil ? "builtin" : "command")
        let input = Input(runtime: runtime, command: serving?.command, importPath: serving?.importPath, env: serving?.env ?? [:],
                          contextSha256: contextSha256, builtinServerVersion: runtime == "builtin" ? builtinServerVersion : nil)
        return Fingerprint.of(servingAlgorithm, input)
    }
}
