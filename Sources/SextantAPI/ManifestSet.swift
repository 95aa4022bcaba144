import SextantYAML

/// Every manifest of a watched root, ordered by kind then name, with lookups by name.
public struct ManifestSet: Sendable {
    package private(set) var all: [LoadedManifest]
    /// Objects that exist in the repository but failed to decode.
    let undecoded: Set<ObjectReference>
    /// Lookups by name, built once: references are resolved for every manifest.
    private let index: Index
    /// The contract classifications that make a column private.
    package let classified: ClassifiedLevels

    /// The manifests by kind and name (contracts by id and by name): references, not
    /// copies of the decoded values.
    private struct Index: Sendable {
        var byName: [ObjectReference: LoadedManifest] = [:]
        var contractsByID: [String: LoadedManifest] = [:]

        init(_ manifests: [LoadedManifest]) {
            byName.reserveCapacity(manifests.count)
            // The first definition wins; later ones are reported as duplicates.
            for loaded in manifests {
                if case .dataContract(let contract) = loaded.manifest {
                    if contractsByID[contract.id] == nil { contractsByID[contract.id] = loaded }
                    guard contract.name != nil else { continue }
                }
                let reference = ObjectReference(kind: loaded.kind, name: loaded.name)
                if byName[reference] == nil { byName[reference] = loaded }
            }
        }
    }

    package init(_ manifests: [LoadedManifest], classified: ClassifiedLevels = .default) {
        self.init(manifests, undecoded: [], classified: classified)
    }

    init(_ manifests: [LoadedManifest], undecoded: Set<ObjectReference>, classified: ClassifiedLevels) {
        self.all = manifests
        self.undecoded = undecoded
        self.index = Index(manifests)
        self.classified = classified
    }

    /// True when a reference names an object that exists but could not be decoded.
    func isUndecoded(_ kind: ManifestKind, _ name: String) -> Bool {
        undecoded.contains(ObjectReference(kind: kind, name: name))
    }

    mutating func sort() {
        all.sort(by: Self.inOrder)
    }

    /// Set order: by kind, then name, then file.
    static func inOrder(_ first: LoadedManifest, _ second: LoadedManifest) -> Bool {
        (first.kind, first.name, first.file) < (second.kind, second.name, second.file)
    }

    /// Replaces the manifests with the same ones in set order (the index stays).
    mutating func replaceAll(_ sorted: [LoadedManifest]) {
        all = sorted
    }

    /// `sorted` (in set order) with `others` put in place, each after its equals.
    static func merge(_ sorted: [LoadedManifest], _ others: [LoadedManifest]) -> [LoadedManifest] {
        var merged: [LoadedManifest] = []
        merged.reserveCapacity(sorted.count + others.count)
        var rest = sorted[...]
        for loaded in others.sorted(by: inOrder) {
            let end = rest.partitioningIndex { inOrder(loaded, $0) }
            merged += rest[..<end]
            merged.append(loaded)
            rest = rest[end...]
        }
        merged += rest
        return merged
    }

    public var models: [Model] { all.compactMap { if case .model(let value) = $0.manifest { value } else { nil } } }
    package var datasets: [Dataset] { all.compactMap { if case .dataset(let value) = $0.manifest { value } else { nil } } }
    package var dataContracts: [DataContract] { all.compactMap { if case .dataContract(let value) = $0.manifest { value } else { nil } } }
    package var slos: [SLO] { all.compactMap { if case .slo(let value) = $0.manifest { value } else { nil } } }
    package var rolloutPolicies: [RolloutPolicy] { all.compactMap { if case .rolloutPolicy(let value) = $0.manifest { value } else { nil } } }

    /// How many manifests of each kind, in status order.
    package var countsByKind: [(kind: ManifestKind, count: Int)] {
        var counts: [ManifestKind: Int] = [:]
        for loaded in all { counts[loaded.kind, default: 0] += 1 }
        return ManifestKind.allCases.compactMap { kind in counts[kind].map { (kind, $0) } }
    }

    /// The manifest of a kind and name (a contract: by name; see `contract(named:)`).
    package func manifest(_ kind: ManifestKind, named name: String) -> LoadedManifest? {
        index.byName[ObjectReference(kind: kind, name: name)]
    }

    /// The manifest of the contract a dataset names, by ODCS id or name.
    package func contractManifest(named reference: String) -> LoadedManifest? {
        index.contractsByID[reference] ?? manifest(.dataContract, named: reference)
    }

    package func model(named name: String) -> Model? {
        if case .model(let value)? = manifest(.model, named: name)?.manifest { value } else { nil }
    }

    package func dataset(named name: String) -> Dataset? {
        if case .dataset(let value)? = manifest(.dataset, named: name)?.manifest { value } else { nil }
    }

    package func slo(named name: String) -> SLO? {
        if case .slo(let value)? = manifest(.slo, named: name)?.manifest { value } else { nil }
    }

    package func rolloutPolicy(named name: String) -> RolloutPolicy? {
        if case .rolloutPolicy(let value)? = manifest(.rolloutPolicy, named: name)?.manifest { value } else { nil }
    }

    /// The contract a dataset names, by ODCS id or name.
    package func contract(named reference: String) -> DataContract? {
        if case .dataContract(let value)? = contractManifest(named: reference)?.manifest { value } else { nil }
    }

    /// The table of a contract a dataset reads: the named one, or the only one.
    package func table(of dataset: Dataset) -> ContractTable? {
        guard let contract = contract(named: dataset.spec.contract), let tables = contract.schema else { return nil }
        if let name = dataset.spec.table { return tables.first { $0.name == name } }
        return tables.count == 1 ? tables[0] : nil
    }

    /// The columns a model trains on: its `features`, or every contract column except the
    /// target, primary keys, the gates' sensitive features and classified columns.
    package func resolvedFeatures(of model: Model) -> [String]? {
        if let features = model.spec.features { return features }
        guard let table = table(of: model) else { return nil }
        let sensitive = Set((model.spec.evaluation?.gates ?? []).compactMap(\.sensitiveFeature))
        return (table.properties ?? []).filter { property in
            property.name != model.spec.target && property.primaryKey != true && !sensitive.contains(property.name)
                && property.classification(in: classified) == nil
        }.map(\.name)
    }

    /// The contract table a model's dataset reads.
    package func table(of model: Model) -> ContractTable? {
        dataset(named: model.spec.dataset).flatMap(table(of:))
    }

    /// The model's features whose contract columns are classified, in feature order, with
    /// the reasons the model gives for taking them (nil for one it does not allow, which
    /// validation reports).
    package func classifiedFeatures(of model: Model) -> [ClassifiedFeature] {
        guard let features = resolvedFeatures(of: model), let table = table(of: model) else { return [] }
        let columns = Dictionary((table.properties ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let reasons = Dictionary((model.spec.privacy?.allowClassified ?? []).map { ($0.column, $0.reason) }, uniquingKeysWith: { first, _ in first })
        return features.compactMap { name in
            columns[name]?.classification(in: classified).map { ClassifiedFeature(column: name, classification: $0, reason: reasons[name]) }
        }
    }
}

/// A model input whose contract column is classified (DESIGN §9).
package struct ClassifiedFeature: Sendable, Hashable, Codable {
    package var column: String
    /// The column's ODCS `classification`, as the contract writes it.
    package var classification: String
    /// Why the model takes it (`privacy.allowClassified`).
    package var reason: String?

    package init(column: String, classification: String, reason: String?) {
        self.column = column
        self.classification = classification
        self.reason = reason
    }
}

/// A kind and a name, as references between manifests use them.
struct ObjectReference: Sendable, Hashable {
    var kind: ManifestKind
    var name: String

    /// The names a decoded manifest answers to: for a contract, its id and its name.
    static func names(of loaded: LoadedManifest) -> [ObjectReference] {
        var names = [ObjectReference(kind: loaded.kind, name: loaded.name)]
        if case .dataContract(let contract) = loaded.manifest { names.append(ObjectReference(kind: .dataContract, name: contract.id)) }
        return names
    }

    /// The names a document gives its object, read straight from the nodes: for a
    /// contract, its id and its name.
    static func named(by root: YAMLNode) -> [ObjectReference] {
        guard let kind = root["kind"]?.text.flatMap(ManifestKind.init(rawValue:)) else { return [] }
        let names = kind == .dataContract ? [root["id"]?.text, root["name"]?.text] : [root["metadata"]?["name"]?.text]
        return names.compactMap { $0 }.map { ObjectReference(kind: kind, name: $0) }
    }
}
