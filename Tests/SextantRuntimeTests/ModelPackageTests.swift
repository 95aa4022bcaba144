import Foundation
import Testing
import SextantTestSupport
import SextantAPI
import SextantCore
@testable import SextantRuntime

@Suite struct ModelPackageTests {
    static func card(version: Int = 3) -> ModelCard {
        let registered = ModelVersion(number: version, fingerprint: String(repeating: "f", count: 64), commit: String(repeating: "c", count: 40),
                                      datasetSha256: String(repeating: "a", count: 64), contractSha256: String(repeating: "b", count: 64),
                                      trainer: "logistic-regression", modelDirectory: "models/fraud/v\(version)", trainingRows: 1919, holdoutRows: 481,
                                      task: .binaryClassification, createdAt: Date(timeIntervalSince1970: 1_795_000_000))
        let evaluation = Evaluation(fingerprint: "e", metrics: ["auc": 0.98, "f1": 0.85],
                                    gates: [GateResult(metric: "auc", value: 0.98, min: 0.9, max: nil, passed: true)], incumbent: nil,
                                    holdoutRows: 481, seconds: 1, evaluatedAt: Date(timeIntervalSince1970: 1_795_000_100),
                                    explanations: Explanations(metric: "auc", repeats: 5, seed: 1, importances: [FeatureImportance(feature: "amount", mean: 0.2, std: 0.01)]))
        let revision = ModelRevision(number: 1, version: version, servingFingerprint: "s", commit: registered.commit, servingLaunch: nil,
                                     evaluation: evaluation, createdAt: registered.createdAt)
        let context = ModelCardContext(dataset: "transactions", target: "is_fraud", contract: ContractLabel(id: "tx", name: "transactions", version: "1.0.0"),
                                       annotations: ["sextant.dev/intended-use": "Flag transactions for review."], classifiedColumns: [])
        return ModelCard(model: "fraud", version: registered, revision: revision, context: context,
                         weightsDigest: try! ModelPackage.weightLayerDigest(weights))
    }

    static let weights = ["model.json": Array(#"{"weights":[[1,2]]}"#.utf8)]

    static func package(version: Int = 3) -> ModelPackage {
        ModelPackage(name: "fraud", version: version, architecture: "logistic-regression", format: "sextant.model/v1",
                     createdAt: Date(timeIntervalSince1970: 1_795_000_000), commit: String(repeating: "c", count: 40),
                     weights: weights, documents: card(version: version).documents)
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
        #expect(lines.map { String($0.split(separator: " ").last!) } == ["model-card.json", "model-card.md"])
        #expect(lines.allSatisfy { $0.hasPrefix("-rw-r--r-- 0/0") && $0.contains("1970-01-01 00:00:00") }, "\(lines)")
    }

    @Test("the doc layer holds model-card.md and model-card.json; the lookup reads the card back from it; the card names the weight layer")
    func docLayer() throws {
        let state = try TemporaryDirectory()
        let layout = OCILayout(directory: state.path + "/artifacts")
        let descriptor = try Self.package().write(to: layout)
        let documents = try #require(try layout.documents(tagged: "fraud-v3"))
        #expect(documents == Self.card().documents)
        #expect(String(decoding: documents["model-card.md"]!, as: UTF8.self).hasPrefix("---\ntags:\n"))
        #expect(try layout.documents(tagged: "fraud-v9") == nil)

        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state.path + "/artifacts/blobs/sha256/" + descriptor.digest.dropFirst(7)))) as! [String: Any]
        let weightLayer = (manifest["layers"] as! [[String: Any]])[0]["digest"] as? String
        #expect(Self.card().modelDetails.lineage.weightsDigest == weightLayer)

        // The registry as the packaging left it: `sextant card` and the daemon read the doc layer.
        var registry = ModelRegistry(model: "fraud")
        registry.versions = [ModelVersion(number: 3, fingerprint: "x", commit: "c", datasetSha256: "a", contractSha256: "b", trainer: "t",
                                          modelDirectory: "m", trainingRows: 1, holdoutRows: 1, artifactDigest: descriptor.digest,
                                          createdAt: Date(timeIntervalSince1970: 0))]
        let lookup = ModelCardLookup(stateDirectory: state.path)
        #expect(try lookup.card(of: registry, version: nil, stableVersion: nil) == Self.card())
        #expect(throws: ModelCardLookup.Failure.self) { try lookup.card(of: registry, version: 7, stableVersion: nil) }
        registry.versions[0].artifactDigest = nil
        let built = try lookup.card(of: registry, version: 3, stableVersion: nil)
        #expect(built.modelParameters.data[0].name.hasPrefix("not recorded"), "an unpackaged version's card is built from the registry")
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
