import Foundation
import SextantAPI

extension OCILayout {
    /// Why a document could not be read from the layout.
    package struct ReadFailure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The files of the doc layer of the artifact tagged `tag` (path → bytes), or nil when
    /// no artifact has that tag.
    package func documents(tagged tag: String) throws(ReadFailure) -> [String: [UInt8]]? {
        struct Index: Decodable { var manifests: [Descriptor] }
        struct Manifest: Decodable { var layers: [Descriptor] }
        guard let indexData = FileManager.default.contents(atPath: directory + "/index.json") else { return nil }
        guard let index = try? JSONDecoder().decode(Index.self, from: indexData) else {
            throw ReadFailure(description: "\(directory)/index.json is not an OCI image index")
        }
        guard let descriptor = index.manifests.first(where: { $0.annotations?[Self.refName] == tag }) else { return nil }
        let manifestBytes = try blob(descriptor.digest)
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(manifestBytes)) else {
            throw ReadFailure(description: "the manifest \(descriptor.digest) of \(tag) in \(directory) is not an OCI manifest")
        }
        guard let layer = manifest.layers.first(where: { $0.mediaType == ModelPackage.docMediaType }) else {
            throw ReadFailure(description: "the artifact \(tag) in \(directory) has no \(ModelPackage.docMediaType) layer")
        }
        guard let files = Tar.files(in: try blob(layer.digest)) else {
            throw ReadFailure(description: "the doc layer \(layer.digest) of \(tag) in \(directory) is not a tar archive")
        }
        return files
    }

    /// A blob's bytes, checked against its digest.
    private func blob(_ digest: String) throws(ReadFailure) -> [UInt8] {
        let hex = digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
        let path = directory + "/blobs/sha256/" + hex
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadFailure(description: "\(path) is missing: the artifact layout is incomplete")
        }
        let bytes = Array(data)
        guard Fingerprint.sha256(bytes) == hex else { throw ReadFailure(description: "\(path) does not match its digest") }
        return bytes
    }
}
