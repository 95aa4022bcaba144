import SextantYAML

extension ManifestSet {
    /// The checks across manifests and against the source's files: duplicate names,
    /// references, columns and paths.
    func validateReferences(source: some ManifestSource) -> [Diagnostic] {
        let paths = PathFacts(source)
        return Self.duplicateNames(all) + all.flatMap { referenceDiagnostics(of: $0, paths: paths) }
    }

    /// The problems with what one manifest refers to: other manifests (by kind and name)
    /// and paths under the watched root. Duplicate names are not among them.
    func referenceDiagnostics(of loaded: LoadedManifest, paths: PathFacts<some ManifestSource>) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ path: FieldPath, _ message: String, atKey: Bool = false) {
            diagnostics.append(loaded.diagnostic(path, "\(path): \(message)", atKey: atKey))
        }
        switch loaded.manifest {
        case .model(let model):
            checkModel(model, paths: paths, report: report)
        case .dataset(let dataset):
            checkDataset(dataset, paths: paths, report: report)
        case .slo(let slo):
            if model(named: slo.spec.service) == nil, !isUndecoded(.model, slo.spec.service) {
                report(["spec", "service"], "no Model \"\(slo.spec.service)\"\(Self.hint(slo.spec.service, in: models.map(\.metadata.name)))")
            }
        case .rolloutPolicy(let policy):
            for (index, name) in (policy.spec.analysis?.slos ?? []).enumerated() where slo(named: name) == nil && !isUndecoded(.slo, name) {
                report(["spec", "analysis", "slos", .index(index)], "no SLO \"\(name)\"\(Self.hint(name, in: slos.map(\.metadata.name)))")
            }
        case .dataContract:
            break
        }
        return diagnostics
    }

    /// The objects a manifest's reference checks look up, by kind and name: when none of
    /// them changed, neither did the checks' outcome (paths aside).
    func references(of loaded: LoadedManifest) -> [ObjectReference] {
        switch loaded.manifest {
        case .model(let model):
            var references = [ObjectReference(kind: .dataset, name: model.spec.dataset)]
            // Its columns come from the contract its dataset reads.
            if let dataset = dataset(named: model.spec.dataset) { references.append(ObjectReference(kind: .dataContract, name: dataset.spec.contract)) }
            references += (model.spec.serving?.slos ?? []).map { ObjectReference(kind: .slo, name: $0) }
            if let rollout = model.spec.serving?.rollout { references.append(ObjectReference(kind: .rolloutPolicy, name: rollout)) }
            return references
        case .dataset(let dataset):
            return [ObjectReference(kind: .dataContract, name: dataset.spec.contract)]
        case .slo(let slo):
            return [ObjectReference(kind: .model, name: slo.spec.service)]
        case .rolloutPolicy(let policy):
            return (policy.spec.analysis?.slos ?? []).map { ObjectReference(kind: .slo, name: $0) }
        case .dataContract:
            return []
        }
    }

    /// The paths under the watched root a manifest's checks look at, as written.
    func checkedPaths(of loaded: LoadedManifest) -> [String] {
        switch loaded.manifest {
        case .model(let model):
            [model.spec.training.context, model.spec.serving?.context].compactMap { $0 }
                + (Self.rayServeImportPath(of: model).map(ServingSpec.moduleFiles) ?? [])
        case .dataset(let dataset): dataset.spec.source.path.map { [$0] } ?? []
        case .slo, .rolloutPolicy, .dataContract: []
        }
    }

    /// Names defined twice, reported at every definition after the first (in `manifests`' order).
    static func duplicateNames(_ manifests: [LoadedManifest]) -> [Diagnostic] {
        struct Identity: Hashable {
            var kind: ManifestKind
            var what: String
            var value: String
        }
        var first: [Identity: LoadedManifest] = [:]
        var diagnostics: [Diagnostic] = []
        for loaded in manifests {
            // A contract is named by its id and, when it has one, its name: both must be unique.
            var keys: [(what: String, value: String, path: FieldPath)] = []
            if case .dataContract(let contract) = loaded.manifest {
                keys.append(("id", contract.id, ["id"]))
                if let name = contract.name { keys.append(("name", name, ["name"])) }
            } else {
                keys.append(("name", loaded.name, loaded.manifest.namePath))
            }
            for key in keys {
                let identity = Identity(kind: loaded.kind, what: key.what, value: key.value)
                if let earlier = first[identity] {
                    diagnostics.append(loaded.diagnostic(key.path, "duplicate \(loaded.kind) \(key.what) \"\(key.value)\" (first defined at \(earlier.file):\(earlier.document.root.mark(at: key.path).line)); \(key.what)s must be unique per kind"))
                } else {
                    first[identity] = loaded
                }
            }
        }
        return diagnostics
    }

    private func checkModel(
        _ model: Model, paths: PathFacts<some ManifestSource>, report: (FieldPath, String, Bool) -> Void
    ) {
        let spec = model.spec
        let name = model.metadata.name
        if let dataset = dataset(named: spec.dataset) {
            if let table = table(of: dataset) {
                checkColumns(model, table: table, report: report)
            }
        } else if !isUndecoded(.dataset, spec.dataset) {
            report(["spec", "dataset"], "no Dataset \"\(spec.dataset)\"\(Self.hint(spec.dataset, in: datasets.map(\.metadata.name)))", false)
        }
        if let context = spec.training.context {
            checkDirectory(context, at: ["spec", "training", "context"], paths: paths, report: report)
        }
        if let context = spec.serving?.context {
            checkDirectory(context, at: ["spec", "serving", "context"], paths: paths, report: report)
        }
        if let importPath = Self.rayServeImportPath(of: model) {
            checkModule(importPath, paths: paths, report: report)
        }
        for (index, sloName) in (spec.serving?.slos ?? []).enumerated() {
            let path: FieldPath = ["spec", "serving", "slos", .index(index)]
            if let slo = slo(named: sloName) {
                if slo.spec.service != name {
                    report(path, "SLO \"\(sloName)\" judges service \"\(slo.spec.service)\", not this model; set its spec.service to \(name)", false)
                }
            } else if !isUndecoded(.slo, sloName) {
                report(path, "no SLO \"\(sloName)\"\(Self.hint(sloName, in: slos.map(\.metadata.name)))", false)
            }
        }
        if let rollout = spec.serving?.rollout, rolloutPolicy(named: rollout) == nil, !isUndecoded(.rolloutPolicy, rollout) {
            report(["spec", "serving", "rollout"], "no RolloutPolicy \"\(rollout)\"\(Self.hint(rollout, in: rolloutPolicies.map(\.metadata.name)))", false)
        }
    }

    private func checkColumns(_ model: Model, table: ContractTable, report: (FieldPath, String, Bool) -> Void) {
        let spec = model.spec
        let columns = Dictionary((table.properties ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let known = columns.keys
        let allowed = Set((spec.privacy?.allowClassified ?? []).map(\.column))
        if let target = columns[spec.target] {
            switch (spec.task, target.logicalType) {
            case (.regression, let type?) where !type.isNumeric:
                report(["spec", "target"], "a regression target must be a number or integer column; \(spec.target) is \(type.rawValue)", false)
            case (.binaryClassification, .number?), (.multiclassClassification, .number?):
                report(["spec", "target"], "a classification target must hold labels (boolean, string or integer); \(spec.target) is number", false)
            default: break
            }
            if let classification = target.classification(in: classified) {
                report(["spec", "target"], "\(spec.target) is classified \(classification) in the contract, and a target cannot be: its values are "
                       + "logged in clear, as every prediction and every feedback label (privacy.allowClassified covers features only); "
                       + "declassify the column in the contract, or predict another one", false)
            }
        } else {
            report(["spec", "target"], "no column \"\(spec.target)\" in table \(table.name) of the contract\(Self.hint(spec.target, in: known))", false)
        }
        for (index, feature) in (spec.features ?? []).enumerated() {
            let path: FieldPath = ["spec", "features", .index(index)]
            guard let column = columns[feature] else {
                report(path, "no column \"\(feature)\" in table \(table.name) of the contract\(Self.hint(feature, in: known))", false)
                continue
            }
            if spec.training.trainer != nil, let type = column.logicalType, !(type.isNumeric || type == .boolean) {
                report(path, "built-in trainers take number, integer and boolean features; \(feature) is \(type.rawValue)", false)
            }
            if let classification = column.classification(in: classified), !allowed.contains(feature) {
                report(path, "\(feature) is classified \(classification) in the contract; a classified column is a feature only with a reason: "
                       + "add privacy.allowClassified: [{column: \(feature), reason: …}], or leave it out of features", false)
            }
        }
        checkAllowances(spec.privacy?.allowClassified ?? [], columns: columns, table: table, report: report)
        checkRetrainingData(model, columns: columns, report: report)
        if spec.features == nil, spec.training.trainer != nil, let defaults = resolvedFeatures(of: model) {
            let unusable = defaults.compactMap { name in
                columns[name]?.logicalType.flatMap { $0.isNumeric || $0 == .boolean ? nil : "\(name) (\($0.rawValue))" }
            }
            if !unusable.isEmpty {
                report(["spec", "training", "trainer"], "the default features include \(unusable.joined(separator: ", ")); built-in trainers take number, integer and boolean features: list features explicitly", false)
            }
        }
        for (index, gate) in (spec.evaluation?.gates ?? []).enumerated() {
            guard let feature = gate.sensitiveFeature, columns[feature] == nil else { continue }
            report(["spec", "evaluation", "gates", .index(index), "sensitiveFeature"], "no column \"\(feature)\" in table \(table.name) of the contract\(Self.hint(feature, in: known))", false)
        }
    }

    /// An allowance names a column of the table that is classified.
    private func checkAllowances(_ allowances: [ClassifiedAllowance], columns: [String: ContractProperty], table: ContractTable,
                                 report: (FieldPath, String, Bool) -> Void) {
        for (index, allowance) in allowances.enumerated() {
            let path: FieldPath = ["spec", "privacy", "allowClassified", .index(index), "column"]
            guard let column = columns[allowance.column] else {
                report(path, "no column \"\(allowance.column)\" in table \(table.name) of the contract\(Self.hint(allowance.column, in: columns.keys))", false)
                continue
            }
            guard column.classification(in: classified) == nil else { continue }
            let label = column.classification.map { "its classification is \($0)" } ?? "it has no classification"
            report(path, "\(allowance.column) is not classified (\(label); classified: \(classified.values.isEmpty ? "none" : classified.values.joined(separator: ", "))); "
                   + "only a classified column needs an allowance: remove this entry", false)
        }
    }

    /// Retraining on feedback takes production rows' features as logged, and a classified
    /// feature is logged only as keyed hashes: such a model retrains on its source.
    private func checkRetrainingData(_ model: Model, columns: [String: ContractProperty], report: (FieldPath, String, Bool) -> Void) {
        guard let retrain = model.spec.monitoring?.retrain, !(retrain.on ?? []).isEmpty, (retrain.data ?? .feedback) == .feedback else { return }
        let hashed = (model.spec.features ?? []).filter { columns[$0]?.classification(in: classified) != nil }
        guard !hashed.isEmpty else { return }
        let path: FieldPath = retrain.data == nil ? ["spec", "monitoring", "retrain"] : ["spec", "monitoring", "retrain", "data"]
        report(path, "retraining on feedback takes the features as the prediction log holds them, and it holds \(hashed.joined(separator: ", ")) "
               + "(classified) only as keyed hashes: set retrain.data: source", false)
    }

    private func checkDataset(_ dataset: Dataset, paths: PathFacts<some ManifestSource>, report: (FieldPath, String, Bool) -> Void) {
        let spec = dataset.spec
        if let contract = contract(named: spec.contract) {
            let tables = (contract.schema ?? []).map(\.name)
            if let table = spec.table {
                if !tables.contains(table) {
                    report(["spec", "table"], "contract \(contract.displayName) has no table \"\(table)\"; it has \(tables.joined(separator: ", "))", false)
                }
            } else if tables.count > 1 {
                report(["spec", "contract"], "contract \(contract.displayName) has \(tables.count) tables (\(tables.joined(separator: ", "))); choose one with table:", false)
            }
        } else if !isUndecoded(.dataContract, spec.contract) {
            let names = dataContracts.flatMap { [$0.id] + ($0.name.map { [$0] } ?? []) }
            report(["spec", "contract"], "no DataContract with id or name \"\(spec.contract)\"\(Self.hint(spec.contract, in: names))", false)
        }
        guard let path = spec.source.path, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return }
        let field: FieldPath = ["spec", "source", "path"]
        switch paths.status(of: path) {
        case .missing:
            report(field, "no file \(path) under the watched root", false)
        case .directory:
            report(field, "\(path) is a directory; give the data file", false)
        case .escapesRoot:
            report(field, "\(path) is a symlink that leads outside the watched root; paths must stay inside it", false)
        case .file:
            if paths.isLFSPointer(path) {
                report(field, "\(path) is a Git LFS pointer, not data; Sextant does not fetch LFS objects: commit the file itself or use uri:", false)
            }
        }
    }

    private func checkDirectory(_ path: String, at field: FieldPath, paths: PathFacts<some ManifestSource>, report: (FieldPath, String, Bool) -> Void) {
        guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return }
        switch paths.status(of: path) {
        case .directory: break
        case .file: report(field, "\(path) is a file; context is a directory", false)
        case .missing: report(field, "no directory \(path) under the watched root", false)
        case .escapesRoot: report(field, "\(path) leads outside the watched root through a symlink", false)
        }
    }

    /// A `rayServe` model's import path, when well formed (a malformed one is reported by
    /// validation, and names no file).
    private static func rayServeImportPath(of model: Model) -> String? {
        guard let serving = model.spec.serving, serving.runtime == .rayServe, let importPath = serving.importPath,
              ServingSpec.isImportPath(importPath) else { return nil }
        return importPath
    }

    /// A Ray Serve application's module is a file of the watched root (the application
    /// runs among the root's files): `a/b/c.py` or the package `a/b/c/__init__.py`.
    private func checkModule(_ importPath: String, paths: PathFacts<some ManifestSource>, report: (FieldPath, String, Bool) -> Void) {
        let candidates = ServingSpec.moduleFiles(of: importPath)
        guard !candidates.contains(where: { paths.status(of: $0) == .file }) else { return }
        let module = ServingSpec.moduleComponents(of: importPath).joined(separator: ".")
        report(["spec", "serving", "importPath"], "no module \(module) under the watched root: add \(candidates[0]) (or the package "
               + "\(candidates[1])), or correct importPath", false)
    }

    static let lfsPointerPrefix = Array("version https://git-lfs.github.com/spec/v1".utf8)

    /// True when a file's bytes (or their start) are a Git LFS pointer, not data.
    package static func isLFSPointer(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.starts(with: lfsPointerPrefix)
    }

    /// "; did you mean …?" when a name is near a known one.
    static func hint(_ name: String, in known: some Sequence<String>) -> String {
        NearestName.hint(name, in: Array(known)) ?? ""
    }
}
