package import SextantAPI

/// What Git says should be, at one commit: every object of the manifest set, and for each
/// dataset everything its check depends on.
package struct DesiredState: Sendable {
    package var commit: String
    package var manifests: ManifestSet
    package var datasets: [String: DesiredDataset]
    package var models: [String: DesiredModel]
    /// Every file of the watched root at the commit (Git blob ids), by path.
    package var files: [String: String]
    /// The fingerprints the planner computed for this commit.
    package let fingerprints = FingerprintMemo()

    package init(commit: String, manifests: ManifestSet, datasets: [String: DesiredDataset], models: [String: DesiredModel] = [:],
                files: [String: String] = [:]) {
        self.commit = commit
        self.manifests = manifests
        self.datasets = datasets
        self.models = models
        self.files = files
    }

    package var workspace: Workspace { Workspace(commit: commit, files: files) }

    /// Every object, in status order.
    package var keys: [ObjectKey] {
        manifests.all.map { ObjectKey($0.kind, $0.name) }
    }

    /// Builds the desired state of a loaded, valid commit.
    ///
    /// - Parameters:
    ///   - blobs: the Git blob id of each file under the watched root, by path.
    ///   - dataRoots: directories `uri:` sources may read from (`--data-root`).
    ///   - previous: the desired state of an earlier commit: a dataset or model whose
    ///     manifests are the same (loaded objects reused by the loader) keeps what was
    ///     derived from them, fingerprints included, instead of hashing them again.
    package init(commit: String, manifests: ManifestSet, blobs: [String: String], dataRoots: [String], reusing previous: DesiredState? = nil) {
        var datasets: [String: DesiredDataset] = [:]
        for loaded in manifests.all {
            guard case .dataset(let dataset) = loaded.manifest, let contractManifest = manifests.contractManifest(named: dataset.spec.contract),
                  case .dataContract(let contract) = contractManifest.manifest, let table = manifests.table(of: dataset) else { continue }
            let location: DataLocation
            if let path = dataset.spec.source.path {
                let normalized = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
                if let blob = blobs[normalized] {
                    location = .commit(path: normalized, blob: blob)
                } else {
                    location = .refused("\(path) is not a file in commit \(commit.prefix(7))")
                }
            } else if let uri = dataset.spec.source.uri {
                location = DataLocation.file(uri: uri, dataRoots: dataRoots)
            } else {
                location = .refused("the dataset names no source")
            }
            let name = dataset.metadata.name
            if var reused = previous?.datasets[name], let previous, previous.manifests.manifest(.dataset, named: name) === loaded,
               previous.manifests.contractManifest(named: dataset.spec.contract) === contractManifest {
                reused.data = location
                datasets[name] = reused
                continue
            }
            datasets[name] = DesiredDataset(
                name: name, data: location, sha256Pin: dataset.spec.sha256, table: table,
                contract: ContractLabel(id: contract.id, name: contract.displayName, version: contract.version))
        }
        var models: [String: DesiredModel] = [:]
        var reusedModels: Set<String> = []
        for loaded in manifests.all {
            guard case .model(let model) = loaded.manifest else { continue }
            let name = model.metadata.name
            if let previous, let reused = previous.models[name], Self.sameInputs(of: model, loaded, in: manifests, as: previous.manifests) {
                models[name] = reused
                reusedModels.insert(name)
            } else if let built = DesiredModel(model, in: manifests, files: blobs) {
                models[name] = built
            }
        }
        self.init(commit: commit, manifests: manifests, datasets: datasets, models: models, files: blobs)
        if let previous { fingerprints.carry(from: previous.fingerprints, models: reusedModels) }
    }

    /// Whether a model's desired form derives from the same manifests in both sets: the
    /// model, its dataset and the dataset's contract, and no folder of files (a command's
    /// context, which any file of the commit may change).
    private static func sameInputs(of model: Model, _ loaded: LoadedManifest, in manifests: ManifestSet, as previous: ManifestSet) -> Bool {
        let spec = model.spec
        guard spec.training.trainer != nil, (spec.serving?.runtime ?? .builtin) == .builtin,
              previous.manifest(.model, named: model.metadata.name) === loaded,
              let dataset = manifests.manifest(.dataset, named: spec.dataset), previous.manifest(.dataset, named: spec.dataset) === dataset,
              case .dataset(let value) = dataset.manifest else { return false }
        return manifests.contractManifest(named: value.spec.contract) === previous.contractManifest(named: value.spec.contract)
    }
}

/// Where a dataset's bytes are.
package enum DataLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A file of the commit, by its blob id: content-addressed, so its identity is the id.
    case commit(path: String, blob: String)
    /// A local file outside the repository (`uri: file:///…`), hashed on every pass.
    case file(path: String)
    /// A source Sextant will not read, and why.
    case refused(String)

    /// Resolves a `file:///` URI, which must lie under one of `dataRoots`.
    static func file(uri: String, dataRoots: [String]) -> DataLocation {
        guard uri.hasPrefix("file://") else { return .refused("\(uri) is not a file:// URI") }
        let path = String(uri.dropFirst("file://".count))
        guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return .refused("\(uri) is not an absolute file path") }
        if dataRoots.isEmpty {
            return .refused("\(uri) is outside the repository and no --data-root allows it; start Sextant with --data-root DIR")
        }
        let allowed = dataRoots.contains { root in
            let trimmed = root.hasSuffix("/") ? String(root.dropLast()) : root
            return path.hasPrefix(trimmed + "/")
        }
        return allowed ? .file(path: path) : .refused("\(uri) is not under an allowed --data-root (\(dataRoots.joined(separator: ", ")))")
    }

    package var description: String {
        switch self {
        case .commit(let path, _): path
        case .file(let path): "file://" + path
        case .refused(let reason): reason
        }
    }
}

/// A contract as status names it.
package struct ContractLabel: Sendable, Hashable, Codable, CustomStringConvertible {
    package var id: String
    package var name: String
    package var version: String

    package init(id: String, name: String, version: String) {
        self.id = id
        self.name = name
        self.version = version
    }

    package var description: String { "\(name) \(version)" }
}

/// A dataset as Git wants it checked.
package struct DesiredDataset: Sendable, Hashable {
    package var name: String
    package var data: DataLocation
    package var sha256Pin: String?
    package var table: ContractTable
    package var contract: ContractLabel
    /// The fingerprint of what the data is checked against.
    package let rulesFingerprint: String

    package init(name: String, data: DataLocation, sha256Pin: String?, table: ContractTable, contract: ContractLabel) {
        struct Rules: Encodable {
            var pin: String?
            var table: ContractTable
            var contract: ContractLabel
        }
        self.name = name
        self.data = data
        self.sha256Pin = sha256Pin
        self.table = table
        self.contract = contract
        self.rulesFingerprint = Fingerprint.of("dataset-rules/1", Rules(pin: sha256Pin, table: table, contract: contract))
    }
}
