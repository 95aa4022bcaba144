package import SextantAPI

/// A model as Git wants it, with everything resolved that does not depend on observation:
/// its columns and their types, who trains it, and how it serves.
package struct DesiredModel: Sendable, Hashable {
    package var name: String
    package var model: Model
    package var dataset: String
    package var features: [FeatureColumn]
    /// Every column of the contract table, features or not: what a logged request may
    /// carry, and which of it is classified (DESIGN §9).
    package var contractColumns: [ContractColumn]
    package var targetType: LogicalType
    package var trainerIdentity: ModelFingerprint.TrainerIdentity
    /// Built-in trainer, or the external command.
    package var builtinTrainer: BuiltinTrainer?
    package var servingFingerprint: String
    package var servingRuntime: ServingRuntime
    /// The replicas Core runs: `serving.replicas`, or `autoscaling.min` for an autoscaled
    /// model (the runtime scales past them by load; the embedded runtime does not).
    package var replicas: Int
    /// `serving.autoscaling` with its default filled in; nil for a fixed count.
    package var autoscaling: ServingAutoscaling?
    package var timeout: Duration
    package var contractSha256: String
    /// A `uri:` dataset without a `sha256` pin: trained and evaluated, never deployed.
    package var unpinnedURI: Bool

    /// Whether its servers run among the commit's files (`command`, `rayServe`): serving
    /// jobs then carry the workspace.
    package var servesAmongFiles: Bool { servingRuntime != .builtin }

    /// The features whose contract columns are classified, with the model's reasons
    /// (DESIGN §9): hashed in the prediction log, listed in the model card.
    package var classifiedFeatures: [ClassifiedFeature] { features.compactMap(\.privacy) }

    /// The built-in server's version: part of its revisions' serving fingerprint, so
    /// upgrading it rolls built-in servers out like any change.
    package static let builtinServerVersion = 1

    /// Resolves a valid model; nil when its dataset or contract table is missing (which
    /// validation reports).
    package init?(_ model: Model, in manifests: ManifestSet, files: [String: String]) {
        let spec = model.spec
        guard let dataset = manifests.dataset(named: spec.dataset), let table = manifests.table(of: dataset),
              let names = manifests.resolvedFeatures(of: model) else { return nil }
        let properties = Dictionary((table.properties ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let classified = manifests.classifiedFeatures(of: model)
        func column(_ name: String) -> FeatureColumn {
            let property = properties[name]
            var categories: [String] = []
            for rule in property?.quality ?? [] where rule.libraryMetric == QualityMetric.invalidValues.rawValue {
                categories += (rule.arguments?.validValues ?? []).compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            return FeatureColumn(name: name, logicalType: property?.logicalType ?? .string, categories: categories,
                                 privacy: classified.first { $0.column == name })
        }
        self.name = model.metadata.name
        self.model = model
        self.dataset = spec.dataset
        self.features = names.map(column)
        self.contractColumns = (table.properties ?? []).map {
            ContractColumn(name: $0.name, logicalType: $0.logicalType ?? .string, classified: $0.classification(in: manifests.classified) != nil)
        }
        self.targetType = properties[spec.target]?.logicalType ?? .string
        self.builtinTrainer = spec.training.trainer
        if let trainer = spec.training.trainer {
            trainerIdentity = .builtin(name: trainer.rawValue, algorithmVersion: 1)
        } else {
            let command = spec.training.command ?? []
            trainerIdentity = .command(command, contextSha256: Self.contextHash(spec.training.context, command: command, files: files))
        }
        let runtime = spec.serving?.runtime ?? (spec.training.trainer != nil ? .builtin : .command)
        servingRuntime = runtime
        let servingContext: String? = switch runtime {
        case .builtin: nil
        case .command: Self.contextHash(spec.serving?.context, command: spec.serving?.command ?? [], files: files)
        case .rayServe: Self.moduleHash(spec.serving?.importPath ?? "", files: files)
        }
        servingFingerprint = ModelFingerprint.serving(of: model, contextSha256: servingContext, builtinServerVersion: Self.builtinServerVersion)
        autoscaling = spec.serving?.autoscaling.map {
            ServingAutoscaling(minReplicas: $0.min, maxReplicas: $0.max,
                               targetOngoingRequests: $0.targetOngoingRequests ?? AutoscalingSpec.defaultTargetOngoingRequests)
        }
        replicas = autoscaling?.minReplicas ?? spec.serving?.replicas ?? 1
        timeout = (spec.training.timeout ?? TrainingSpec.defaultTimeout).duration
        contractSha256 = ModelFingerprint.contractSemantics(of: table)
        unpinnedURI = dataset.spec.source.uri != nil && dataset.spec.sha256 == nil
    }

    /// The SHA-256 of every file under a context folder (paths and blob ids): the folder
    /// named, or else the folder of the command's first argument that is a file of the
    /// commit (that file alone when it lies at the root).
    static func contextHash(_ context: String?, command: [String], files: [String: String]) -> String {
        func normalized(_ path: String) -> String { path.split(separator: "/").filter { $0 != "." }.joined(separator: "/") }
        let entries: [(String, String)]
        if let context {
            let folder = normalized(context)
            let prefix = folder.isEmpty ? "" : folder + "/"
            entries = files.filter { $0.key.hasPrefix(prefix) }.map { ($0.key, $0.value) }
        } else if let script = command.lazy.map(normalized).first(where: { files[$0] != nil }) {
            // The script's folder; a script at the root is its own context (the root also
            // holds the manifests and the data, which must not change the trainer's identity).
            let folder = script.split(separator: "/").dropLast().joined(separator: "/")
            entries = folder.isEmpty ? [(script, files[script]!)] : files.filter { $0.key.hasPrefix(folder + "/") }.map { ($0.key, $0.value) }
        } else {
            entries = []  // a command of installed programs only: its identity is the command
        }
        let lines = entries.sorted { $0.0 < $1.0 }.map { "\($0.0)\u{0}\($0.1)" }
        return Fingerprint.sha256(Array(lines.joined(separator: "\n").utf8))
    }

    /// The SHA-256 of the files that define a Ray Serve application, found from its import
    /// path's module `a.b.c`: every file under its parent package's folder `a/b/` (which
    /// holds `a/b/c.py` or the package `a/b/c/`, and the siblings it imports). A top-level
    /// module has no such folder — the root also holds the manifests and the data, which
    /// must not make a new revision — so its file `c.py` alone, or its package folder `c/`.
    static func moduleHash(_ importPath: String, files: [String: String]) -> String {
        let module = ServingSpec.moduleComponents(of: importPath)
        guard module.count == 1 else { return contextHash(module.dropLast().joined(separator: "/"), command: [], files: files) }
        let file = ServingSpec.moduleFiles(of: importPath)[0]
        return files[file] != nil ? contextHash(nil, command: [file], files: files) : contextHash(module[0], command: [], files: files)
    }

    /// How the evaluation splits the rows (DESIGN §2 defaults filled in).
    func trainingData(location: DataLocation, sha256: String) -> TrainingData {
        let spec = model.spec
        let seed = spec.training.seed ?? 0
        let split = spec.evaluation?.split
        return TrainingData(dataset: dataset, location: location, sha256: sha256, task: spec.task, target: spec.target, targetType: targetType,
                            features: features, holdout: split?.holdout ?? SplitSpec.defaultHoldout, splitSeed: split?.seed ?? seed,
                            stratify: split?.stratify ?? spec.task.isClassification)
    }
}
