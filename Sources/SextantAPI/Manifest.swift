package import SextantYAML

/// One decoded manifest of any kind.
package enum Manifest: Sendable, Hashable {
    case model(Model)
    case dataset(Dataset)
    case dataContract(DataContract)
    case slo(SLO)
    case rolloutPolicy(RolloutPolicy)

    package var kind: ManifestKind {
        switch self {
        case .model: .model
        case .dataset: .dataset
        case .dataContract: .dataContract
        case .slo: .slo
        case .rolloutPolicy: .rolloutPolicy
        }
    }

    /// The name status and references use.
    package var name: String {
        switch self {
        case .model(let model): model.metadata.name
        case .dataset(let dataset): dataset.metadata.name
        case .dataContract(let contract): contract.displayName
        case .slo(let slo): slo.metadata.name
        case .rolloutPolicy(let policy): policy.metadata.name
        }
    }

    /// The path of the field that holds the name, for messages about it.
    package var namePath: FieldPath {
        kind == .dataContract ? (name == "" ? ["id"] : ["name"]) : ["metadata", "name"]
    }
}

/// A manifest and where it came from. A class: sets of thousands are sorted, indexed and
/// passed around, and a manifest never changes once loaded.
package final class LoadedManifest: Sendable {
    package let manifest: Manifest
    /// The file as named in messages.
    package let file: String
    /// The document, for positioning messages about its fields.
    package let document: YAMLDocument
    package let kind: ManifestKind
    package let name: String

    package init(manifest: Manifest, file: String, document: YAMLDocument) {
        self.manifest = manifest
        self.file = file
        self.document = document
        self.kind = manifest.kind
        self.name = manifest.name
    }

    /// A problem with a field of this manifest, positioned at the field.
    package func diagnostic(_ path: FieldPath, _ message: String, atKey: Bool = false) -> Diagnostic {
        let mark = atKey ? document.root.keyMark(at: path) : document.root.mark(at: path)
        return Diagnostic(file: file, mark: mark, message: message, object: "\(kind)/\(name)")
    }
}
