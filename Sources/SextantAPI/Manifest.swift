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
    /// The document's text, parsed again when a message needs the position of a field.
    package let text: ManifestText
    /// Where the document starts.
    package let mark: SourceMark
    package let kind: ManifestKind
    package let name: String

    package init(manifest: Manifest, text: ManifestText, mark: SourceMark) {
        self.manifest = manifest
        self.file = text.file
        self.text = text
        self.mark = mark
        self.kind = manifest.kind
        self.name = manifest.name
    }

    /// The document, parsed again from the file's bytes (no tree is kept per manifest):
    /// for the few uses that need every field or a field's position.
    package var document: YAMLDocument { text.document() }

    /// A problem with a field of this manifest, positioned at the field.
    package func diagnostic(_ path: FieldPath, _ message: String, atKey: Bool = false) -> Diagnostic {
        Self.diagnostic(in: document.root, file: file, object: "\(kind)/\(name)", path, message, atKey: atKey)
    }

    /// The same, for a document at hand.
    static func diagnostic(in root: YAMLNode, file: String, object: String, _ path: FieldPath, _ message: String, atKey: Bool) -> Diagnostic {
        let mark = atKey ? root.keyMark(at: path) : root.mark(at: path)
        return Diagnostic(file: file, mark: mark, message: message, object: object)
    }
}
