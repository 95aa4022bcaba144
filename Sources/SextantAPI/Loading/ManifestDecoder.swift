package import SextantYAML

/// Turns one YAML document into a manifest: dispatches on `kind`, decodes, and runs the
/// checks that need only the manifest itself.
package enum ManifestDecoder {
    /// The manifest (nil when it could not be decoded) and every problem with it.
    ///
    /// - Parameter text: where the document came from, kept by the manifest in place of the tree.
    package static func decode(_ document: YAMLDocument, text: ManifestText) -> (manifest: LoadedManifest?, diagnostics: [Diagnostic]) {
        let arena = YAMLArena(file: document.file, root: document.root)
        return decode(arena.roots[0], of: arena, text: text)
    }

    /// The same, for a document of a parsed file (`root`, one of `arena.roots`).
    package static func decode(_ root: YAMLArena.Index, of arena: YAMLArena, text: ManifestText) -> (manifest: LoadedManifest?, diagnostics: [Diagnostic]) {
        let file = arena.file
        func fail(_ mark: SourceMark, _ message: String) -> (LoadedManifest?, [Diagnostic]) {
            (nil, [Diagnostic(file: file, mark: mark, message: message)])
        }
        guard arena.kind(root) == .mapping else {
            return fail(arena.mark(root), "a manifest must be a mapping with apiVersion, kind, metadata and spec; found \(arena.kindDescription(root))")
        }
        guard let kindNode = arena.value(root, forKey: "kind") else {
            return fail(arena.mark(root), "manifest has no \"kind\"; Sextant reads \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = ManifestKind.allCases.first(where: { arena.isScalar(kindNode, equalTo: $0.rawValue) }) else {
            let kindText = arena.string(kindNode)
            let shown = kindText.map { "\"\($0)\"" } ?? arena.kindDescription(kindNode)
            let known = ManifestKind.allCases.map(\.rawValue)
            if let text = kindText, let hint = NearestName.hint(text, in: known) {
                return fail(arena.mark(kindNode), "unknown kind \(shown)" + hint)
            }
            return fail(arena.mark(kindNode), "unknown kind \(shown); Sextant reads \(known.joined(separator: ", "))")
        }
        guard let versionNode = arena.value(root, forKey: "apiVersion") else {
            return fail(arena.mark(root), "\(kind) has no \"apiVersion\"; use \(kind.apiVersions.last!)")
        }
        guard kind.apiVersions.contains(where: { arena.isScalar(versionNode, equalTo: $0) }) else {
            return fail(arena.mark(versionNode), "\(kind) needs apiVersion \(kind.apiVersions.joined(separator: " or ")), found \(arena.kindDescription(versionNode))")
        }

        func decode<T>(_ read: (NodeReader) throws -> T, _ wrap: (T) -> Manifest) -> (Manifest?, [YAMLDecodingIssue]) {
            let result = YAMLDecoder().read(from: root, of: arena, read)
            return (result.value.map(wrap), result.issues)
        }
        let (manifest, decodingIssues) = switch kind {
        case .model: decode(Model.init(reading:), Manifest.model)
        case .dataset: decode(Dataset.init(reading:), Manifest.dataset)
        case .dataContract: decode(DataContract.init(reading:), Manifest.dataContract)
        case .slo: decode(SLO.init(reading:), Manifest.slo)
        case .rolloutPolicy: decode(RolloutPolicy.init(reading:), Manifest.rolloutPolicy)
        }
        let metadataName = arena.value(root, forKey: "metadata").flatMap { arena.value($0, forKey: "name") }.flatMap(arena.string)
        let objectName = manifest.map { "\(kind)/\($0.name)" } ?? metadataName.map { "\(kind)/\($0)" }
        var diagnostics = decodingIssues.map {
            Diagnostic(file: file, mark: $0.mark, message: "\($0.path): \($0.message)", object: objectName)
        }
        guard let manifest else { return (nil, diagnostics) }
        let loaded = LoadedManifest(manifest: manifest, text: text, mark: arena.mark(root))
        var issues = Issues()
        manifest.validate(into: &issues)
        if !issues.items.isEmpty {
            let tree = arena.node(root)
            let object = "\(kind)/\(manifest.name)"
            diagnostics += issues.items.map {
                LoadedManifest.diagnostic(in: tree, file: file, object: object, $0.path, "\($0.path): \($0.message)", atKey: $0.atKey)
            }
        }
        // A manifest with errors still joins the set, so references to it resolve and
        // the errors are not repeated as dangling references elsewhere.
        return (loaded, diagnostics)
    }
}
