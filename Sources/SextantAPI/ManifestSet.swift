import SextantYAML

/// Every manifest of a watched root, ordered by kind then name, with lookups by name.
public struct ManifestSet: Sendable {
    public private(set) var all: [LoadedManifest]
    /// Objects that exist in the repository but failed to decode.
    let undecoded: Set<ObjectReference>

    public init(_ manifests: [LoadedManifest]) {
        self.init(manifests, undecoded: [])
    }

    init(_ manifests: [LoadedManifest], undecoded: Set<ObjectReference>) {
        self.all = manifests
        self.undecoded = undecoded
    }

    /// True when a reference names an object that exists but could not be decoded.
    func isUndecoded(_ kind: ManifestKind, _ name: String) -> Bool {
        undecoded.contains(ObjectReference(kind: kind, name: name))
    }

    mutating func sort() {
        all.sort { ($0.kind, $0.name, $0.file) < ($1.kind, $1.name, $1.file) }
    }

    public var models: [Model] { all.compactMap { if case .model(let value) = $0.manifest { value } else { nil } } }
    public var datasets: [Dataset] { all.compactMap { if case .dataset(let value) = $0.manifest { value } else { nil } } }
    public var dataContracts: [DataContract] { all.compactMap { if case .dataContract(let value) = $0.manifest { value } else { nil } } }
    public var slos: [SLO] { all.compactMap { if case .slo(let value) = $0.manifest { value } else { nil } } }
    public var rolloutPolicies: [RolloutPolicy] { all.compactMap { if case .rolloutPolicy(let value) = $0.manifest { value } else { nil } } }

    /// How many manifests of each kind, in status order.
    public var countsByKind: [(kind: ManifestKind, count: Int)] {
        ManifestKind.allCases.map { kind in (kind, all.filter { $0.kind == kind }.count) }.filter { $0.count > 0 }
    }

    /// The contract a dataset names, by ODCS id or name.
    public func contract(named reference: String) -> DataContract? {
        dataContracts.first { $0.id == reference } ?? dataContracts.first { $0.name == reference }
    }

    /// The table of a contract a dataset reads: the named one, or the only one.
    public func table(of dataset: Dataset) -> ContractTable? {
        guard let contract = contract(named: dataset.spec.contract), let tables = contract.schema else { return nil }
        if let name = dataset.spec.table { return tables.first { $0.name == name } }
        return tables.count == 1 ? tables[0] : nil
    }

    /// The columns a model trains on: its `features`, or every contract column except the
    /// target, primary keys and the gates' sensitive features.
    public func resolvedFeatures(of model: Model) -> [String]? {
        if let features = model.spec.features { return features }
        guard let dataset = datasets.first(where: { $0.metadata.name == model.spec.dataset }), let table = table(of: dataset) else { return nil }
        let sensitive = Set((model.spec.evaluation?.gates ?? []).compactMap(\.sensitiveFeature))
        return (table.properties ?? []).filter { property in
            property.name != model.spec.target && property.primaryKey != true && !sensitive.contains(property.name)
        }.map(\.name)
    }
}

/// A kind and a name, as references between manifests use them.
struct ObjectReference: Sendable, Hashable {
    var kind: ManifestKind
    var name: String

    /// The names a document gives its object, read straight from the nodes: for a
    /// contract, its id and its name.
    static func named(by root: YAMLNode) -> [ObjectReference] {
        guard let kind = root["kind"]?.text.flatMap(ManifestKind.init(rawValue:)) else { return [] }
        let names = kind == .dataContract ? [root["id"]?.text, root["name"]?.text] : [root["metadata"]?["name"]?.text]
        return names.compactMap { $0 }.map { ObjectReference(kind: kind, name: $0) }
    }
}
