import Foundation
import Testing
import SextantTestSupport
@testable import SextantRuntime

@Suite struct ModelPackageTests {
    static func package(version: Int = 3) -> ModelPackage {
        let card = ModelCard(model: "fraud", version: version, task: "binary-classification", trainer: "logistic-regression", target: "is_fraud",
                             features: ["amount", "hour"], dataset: "transactions", datasetSha256: String(repeating: "a", count: 64),
                             contract: "transactions 1.0.0", trainingRows: 1919, holdoutRows: 481, metrics: ["auc": 0.98, "f1": 0.85],
                             gates: [.init(metric: "auc", value: 0.98, min: 0.9, max: nil, passed: true)], sensitiveFeatures: ["region"],
                             commit: String(repeating: "c", count: 40), fingerprint: String(repeating: "f", count: 64))
        return ModelPackage(name: "fraud", version: version, architecture: "logistic-regression", format: "sextant.model/v1",
                            createdAt: Date(timeIntervalSince1970: 1_795_000_000), commit: String(repeating: "c", count: 40),
                            weights: ["model.json": Array(#"{"weights":[[1,2]]}"#.utf8)],
                            documents: ["MODEL_CARD.md": Array(card.markdown.utf8), "evaluation.json": card.report])
    }

    static func files(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in FileManager.default.subpaths(atPath: directory) ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + path))
            }
        }
        return files
    }

    @Test("identical inputs give byte-identical layouts; a second version adds a tag and keeps the first")
    func reproducible() throws {
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        let a = try Self.package().write(to: OCILayout(directory: first.path))
        let b = try Self.package().write(to: OCILayout(directory: second.path))
        #expect(a.digest == b.digest)
        #expect(try Self.files(first.path) == Self.files(second.path))
        try Self.package(version: 4).write(to: OCILayout(directory: first.path))
        let index = try String(contentsOfFile: first.path + "/index.json", encoding: .utf8)
        #expect(index.contains(#""org.opencontainers.image.ref.name":"fraud-v3""#))
        #expect(index.contains(#""org.opencontainers.image.ref.name":"fraud-v4""#))
    }

    @Test("the manifest and config follow ModelPack; tar layers list as root-owned, mtime 0, sorted")
    func format() async throws {
        let directory = try TemporaryDirectory()
        let descriptor = try Self.package().write(to: OCILayout(directory: directory.path))
        let blob = { (digest: String) in try Data(contentsOf: URL(fileURLWithPath: directory.path + "/blobs/sha256/" + digest.dropFirst(7))) }
        let manifest = try JSONSerialization.jsonObject(with: blob(descriptor.digest)) as! [String: Any]
        #expect(manifest["artifactType"] as? String == "application/vnd.cncf.model.manifest.v1+json")
        let config = manifest["config"] as! [String: Any]
        #expect(config["mediaType"] as? String == "application/vnd.cncf.model.config.v1+json")
        let layers = manifest["layers"] as! [[String: Any]]
        #expect(layers.map { $0["mediaType"] as! String } == ["application/vnd.cncf.model.weight.v1.tar", "application/vnd.cncf.model.doc.v1.tar"])
        let configJSON = try JSONSerialization.jsonObject(with: blob(config["digest"] as! String)) as! [String: Any]
        #expect((configJSON["modelfs"] as! [String: Any])["diff_ids"] as? [String] == layers.map { $0["digest"] as! String })
        #expect((configJSON["descriptor"] as! [String: Any])["version"] as? String == "3")

        let docs = directory.path + "/docs.tar"
        try blob(layers[1]["digest"] as! String).write(to: URL(fileURLWithPath: docs))
        let listing = try await runProcess("/bin/tar", ["--list", "--verbose", "--numeric-owner", "--full-time", "-f", docs])
        #expect(listing.status == 0, "\(listing.stderr)")
        let lines = listing.stdout.split(separator: "\n")
        #expect(lines.map { String($0.split(separator: " ").last!) } == ["MODEL_CARD.md", "evaluation.json"])
        #expect(lines.allSatisfy { $0.hasPrefix("-rw-r--r-- 0/0") && $0.contains("1970-01-01 00:00:00") }, "\(lines)")
    }

    @Test("skopeo reads the artifact", .enabled(if: PeerTool.skopeo.isInstalled, Comment(rawValue: PeerTool.skopeo.missing)))
    func skopeo() async throws {
        let directory = try TemporaryDirectory()
        let descriptor = try Self.package().write(to: OCILayout(directory: directory.path))
        let inspected = try await runProcess(PeerTool.skopeo.path, ["inspect", "--raw", "oci:\(directory.path):fraud-v3"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.contains(#""artifactType":"application/vnd.cncf.model.manifest.v1+json""#))
        let copy = try TemporaryDirectory()
        let copied = try await runProcess(PeerTool.skopeo.path, ["copy", "--quiet", "oci:\(directory.path):fraud-v3", "oci:\(copy.path):fraud-v3"])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(FileManager.default.fileExists(atPath: copy.path + "/blobs/sha256/" + descriptor.digest.dropFirst(7)), "the copy keeps the digest")
    }
}
