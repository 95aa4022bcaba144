package import SextantCore

/// Finds the model card of a version for `sextant card` and the daemon's
/// `GET /api/v1/models/{name}/card`: the one in the version's artifact when it was
/// packaged (so both equal the doc layer), else built from the registry, saying what only
/// packaging records.
package struct ModelCardLookup: Sendable {
    /// The state directory (its `artifacts/` layout).
    package var stateDirectory: String

    package init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// Why there is no card: an unknown version, or an artifact that cannot be read.
    package struct Failure: Error, CustomStringConvertible {
        package enum Kind: Sendable { case unknownVersion, unreadable }
        package var kind: Kind
        package var description: String
    }

    /// - Parameters:
    ///   - version: the version asked for; nil: the stable version, else the newest.
    ///   - stableVersion: the version that serves now (status), if any.
    package func card(of registry: ModelRegistry, version: Int?, stableVersion: Int?) throws(Failure) -> ModelCard {
        guard let newest = registry.versions.max(by: { $0.number < $1.number }) else {
            throw Failure(kind: .unknownVersion, description: "model \(registry.model) has no version yet: nothing was trained")
        }
        let number = version ?? stableVersion ?? newest.number
        guard let chosen = registry.version(number) else {
            let known = registry.versions.map { "v\($0.number)" }.joined(separator: ", ")
            throw Failure(kind: .unknownVersion, description: "model \(registry.model) has no version v\(number) (it has \(known))")
        }
        if chosen.artifactDigest != nil {
            let layout = OCILayout(directory: stateDirectory + "/artifacts")
            let tag = "\(registry.model)-v\(chosen.number)"
            let documents: [String: [UInt8]]?
            do {
                documents = try layout.documents(tagged: tag)
            } catch {
                throw Failure(kind: .unreadable, description: error.description)
            }
            if let documents {
                guard let bytes = documents[ModelCard.jsonFile] else {
                    // Packaged before cards were: build it from the registry like an unpackaged one.
                    return built(registry, chosen)
                }
                do {
                    return try ModelCard.decode(bytes)
                } catch {
                    throw Failure(kind: .unreadable, description: "\(ModelCard.jsonFile) of \(tag) in \(layout.directory) cannot be read: \(error)")
                }
            }
        }
        return built(registry, chosen)
    }

    /// The card from the registry alone: the version's newest evaluated revision.
    private func built(_ registry: ModelRegistry, _ version: ModelVersion) -> ModelCard {
        let revision = registry.revisions.filter { $0.version == version.number && $0.evaluation != nil }.max { $0.number < $1.number }
        return ModelCard(model: registry.model, version: version, revision: revision, context: nil, weightsDigest: nil)
    }
}
