package import SextantYAML

/// Turns one YAML document into a manifest: dispatches on `kind`, decodes, and runs the
/// checks that need only the manifest itself.
package enum ManifestDecoder {
    /// The manifest (nil when it could not be decoded) and every problem with it.
    ///
    /// - Parameter text: where the document came from, kept by the manifest in place of the tree.
    package static func decode(_ document: YAMLDocument, text: ManifestText) -> (manifest: LoadedManifest?, diagnostics: [Diagnostic]) {
        let root = document.root
        let file = document.file
        func fail(_ mark: SourceMark, _ message: String) -> (LoadedManifest?, [Diagnostic]) {
            (nil, [Diagnostic(file: file, mark: mark, message: message)])
        }
        guard root.pairs != nil else {
            return fail(root.mark, "a manifest must be a mapping with apiVersion, kind, metadata and spec; found \(root.kindDescription)")
        }
        guard let kindNode = root["kind"] else {
            return fail(root.mark, "manifest has no \"kind\"; Sextant reads \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kindText = kindNode.text, let kind = ManifestKind(rawValue: kindText) else {
            let shown = kindNode.text.map { "\"\($0)\"" } ?? kindNode.kindDescription
            let known = ManifestKind.allCases.map(\.rawValue)
            if let text = kindNode.text, let hint = NearestName.hint(text, in: known) {
                return fail(kindNode.mark, "unknown kind \(shown)" + hint)
            }
            return fail(kindNode.mark, "unknown kind \(shown); Sextant reads \(known.joined(separator: ", "))")
        }
        guard let versionNode = root["apiVersion"] else {
            return fail(root.mark, "\(kind) has no \"apiVersion\"; use \(kind.apiVersions.last!)")
        }
        guard let version = versionNode.text, kind.apiVersions.contains(version) else {
            return fail(versionNode.mark, "\(kind) needs apiVersion \(kind.apiVersions.joined(separator: " or ")), found \(versionNode.kindDescription)")
        }

        func decode<T>(_ read: (NodeReader) throws -> T, _ wrap: (T) -> Manifest) -> (Manifest?, [YAMLDecodingIssue]) {
            let result = YAMLDecoder().read(from: root, read)
            return (result.value.map(wrap), result.issues)
        }
        let (manifest, decodingIssues) = switch kind {
        case .model: decode(Model.init(reading:), Manifest.model)
        case .dataset: decode(Dataset.init(reading:), Manifest.dataset)
        case .dataContract: decode(DataContract.init(reading:), Manifest.dataContract)
        case .slo: decode(SLO.init(reading:), Manifest.slo)
        case .rolloutPolicy: decode(RolloutPolicy.init(reading:), Manifest.rolloutPolicy)
        }
        let objectName = manifest.map { "\(kind)/\($0.name)" } ?? root["metadata"]?["name"]?.text.map { "\(kind)/\($0)" }
        var diagnostics = decodingIssues.map {
            Diagnostic(file: file, mark: $0.mark, message: "\($0.path): \($0.message)", object: objectName)
        }
        guard let manifest else { return (nil, diagnostics) }
        let loaded = LoadedManifest(manifest: manifest, text: text, mark: root.mark)
        var issues = Issues()
        manifest.validate(into: &issues)
        let object = "\(kind)/\(manifest.name)"
        diagnostics += issues.items.map {
            LoadedManifest.diagnostic(in: root, file: file, object: object, $0.path, "\($0.path): \($0.message)", atKey: $0.atKey)
        }
        // A manifest with errors still joins the set, so references to it resolve and
        // the errors are not repeated as dangling references elsewhere.
        return (loaded, diagnostics)
    }
}
