package import Foundation
import SextantAPI

/// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`) holding
/// packaged model versions as CNCF ModelPack artifacts (DESIGN §5), each tagged through
/// `org.opencontainers.image.ref.name`. `skopeo inspect --raw oci:DIR:TAG` reads it.
package struct OCILayout: Sendable {
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package struct Descriptor: Codable, Sendable, Hashable {
        package var mediaType: String
        package var digest: String
        package var size: Int
        package var artifactType: String?
        package var annotations: [String: String]?
    }

    /// Writes a blob (content-addressed: writing it again changes nothing) and describes it.
    func write(_ bytes: [UInt8], mediaType: String, annotations: [String: String]? = nil) throws -> Descriptor {
        let digest = Fingerprint.sha256(bytes)
        let blobs = directory + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        let path = blobs + "/" + digest
        if !FileManager.default.fileExists(atPath: path) {
            try Data(bytes).write(to: URL(fileURLWithPath: path + ".tmp"))
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        }
        return Descriptor(mediaType: mediaType, digest: "sha256:" + digest, size: bytes.count, artifactType: nil, annotations: annotations)
    }

    /// Points `tag` at a manifest in `index.json` (replacing an earlier one of that tag).
    func tag(_ manifest: Descriptor, as tag: String) throws {
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
        struct Index: Codable {
            var schemaVersion = 2
            var mediaType = "application/vnd.oci.image.index.v1+json"
            var manifests: [Descriptor] = []
        }
        let path = directory + "/index.json"
        var index = (try? JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: path)))) ?? Index()
        index.manifests.removeAll { $0.annotations?[Self.refName] == tag }
        var tagged = manifest
        tagged.annotations = [Self.refName: tag]
        index.manifests.append(tagged)
        index.manifests.sort { ($0.annotations?[Self.refName] ?? "") < ($1.annotations?[Self.refName] ?? "") }
        try Data(Self.canonical(index)).write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }

    static let refName = "org.opencontainers.image.ref.name"

    /// Sorted keys, no whitespace: identical values, identical bytes, identical digests.
    static func canonical(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}

/// What goes into one packaged model version.
package struct ModelPackage: Sendable {
    package var name: String
    package var version: Int
    /// The trainer or architecture, e.g. `logistic-regression`.
    package var architecture: String
    /// The weights' format, e.g. `sextant.model/v1`.
    package var format: String
    /// When the version's commit was made (not when it was packaged: packages are reproducible).
    package var createdAt: Date
    package var commit: String
    /// The model's files, as the trainer wrote them (path → bytes).
    package var weights: [String: [UInt8]]
    /// The model card, `model-card.md` and `model-card.json` (path → bytes).
    package var documents: [String: [UInt8]]

    package init(name: String, version: Int, architecture: String, format: String, createdAt: Date, commit: String,
                weights: [String: [UInt8]], documents: [String: [UInt8]]) {
        self.name = name
        self.version = version
        self.architecture = architecture
        self.format = format
        self.createdAt = createdAt
        self.commit = commit
        self.weights = weights
        self.documents = documents
    }

    package static let manifestMediaType = "application/vnd.oci.image.manifest.v1+json"
    package static let artifactType = "application/vnd.cncf.model.manifest.v1+json"
    package static let configMediaType = "application/vnd.cncf.model.config.v1+json"
    package static let weightMediaType = "application/vnd.cncf.model.weight.v1.tar"
    package static let docMediaType = "application/vnd.cncf.model.doc.v1.tar"

    /// The tag of a version: `<model>-v<N>`.
    package var tag: String { "\(name)-v\(version)" }

    /// The digest (`sha256:…`) the weight layer of these files gets: what a model card
    /// packaged beside them names.
    package static func weightLayerDigest(_ weights: [String: [UInt8]]) throws -> String {
        "sha256:" + Fingerprint.sha256(try Tar.archive(weights.map { Tar.Entry(path: $0.key, bytes: $0.value) }))
    }

    /// Writes the artifact into the layout and tags it; returns the manifest's descriptor.
    /// Identical inputs give byte-identical blobs and the same manifest digest.
    @discardableResult
    package func write(to layout: OCILayout) throws -> OCILayout.Descriptor {
        let weightTar = try Tar.archive(weights.map { Tar.Entry(path: $0.key, bytes: $0.value) })
        let docTar = try Tar.archive(documents.map { Tar.Entry(path: $0.key, bytes: $0.value) })
        let weightLayer = try layout.write(weightTar, mediaType: Self.weightMediaType, annotations: ["org.opencontainers.image.title": "weights.tar"])
        let docLayer = try layout.write(docTar, mediaType: Self.docMediaType, annotations: ["org.opencontainers.image.title": "docs.tar"])

        struct Config: Encodable {
            struct Descriptor: Encodable {
                var createdAt: String
                var name: String
                var version: String
                var revision: String
                var vendor = "sextant"
            }
            struct ModelConfig: Encodable {
                var architecture: String
                var format: String
            }
            struct ModelFS: Encodable {
                var type = "layers"
                var diff_ids: [String]
            }
            var descriptor: Descriptor
            var config: ModelConfig
            var modelfs: ModelFS
        }
        let config = Config(
            descriptor: .init(createdAt: createdAt.formatted(.iso8601), name: name, version: String(version), revision: commit),
            config: .init(architecture: architecture, format: format),
            modelfs: .init(diff_ids: [weightLayer.digest, docLayer.digest]))  // uncompressed layers: diff id = digest
        let configDescriptor = try layout.write(try OCILayout.canonical(config), mediaType: Self.configMediaType)

        struct Manifest: Encodable {
            var schemaVersion = 2
            var mediaType: String
            var artifactType: String
            var config: OCILayout.Descriptor
            var layers: [OCILayout.Descriptor]
            var annotations: [String: String]
        }
        let manifest = Manifest(mediaType: Self.manifestMediaType, artifactType: Self.artifactType, config: configDescriptor,
                                layers: [weightLayer, docLayer],
                                annotations: ["org.opencontainers.image.created": createdAt.formatted(.iso8601),
                                              "org.opencontainers.image.revision": commit,
                                              "org.opencontainers.image.title": name,
                                              "org.opencontainers.image.version": String(version)])
        var descriptor = try layout.write(try OCILayout.canonical(manifest), mediaType: Self.manifestMediaType)
        descriptor.artifactType = Self.artifactType
        try layout.tag(descriptor, as: tag)
        return descriptor
    }
}
