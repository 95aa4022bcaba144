import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantTestSupport

/// `sextant card` and `GET /api/v1/models/{name}/card` (DESIGN §4, §5, §9) on the quickstart
/// after `reconcile --once`: the card in the artifact's doc layer, as markdown and JSON.
@Suite(.serialized) struct CardEndToEndTests {
    @Test("sextant card prints the packaged card (markdown and JSON, equal to the doc layer's); an unknown version exits 2 naming it; the daemon's route answers the same JSON")
    func card() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let file = setup.repository.path + "/models/fraud-detector.yaml"
        let model = try String(contentsOfFile: file, encoding: .utf8)
        // The quickstart states its intended use, limitations and ethical considerations; without one, the card says so.
        let limitations = "    sextant.dev/limitations: >-\n      Trained on synthetic transactions; amounts or account ages far beyond the training data extrapolate.\n"
        #expect(model.contains(limitations))
        try setup.repository.commit("no stated limitations", files: ["models/fraud-detector.yaml": model.replacingOccurrences(of: limitations, with: "")])
        let reconciled = try await setup.reconcile()
        #expect(reconciled.status == 0, "\(reconciled.stderr)")

        let markdown = try await setup.run(["card", "fraud-detector", "--state-dir", setup.state.path])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(markdown.stdout.hasPrefix("---\ntags:\n"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("model-index:\n- name: fraud-detector\n"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("# fraud-detector v1\n"))
        #expect(markdown.stdout.contains("## Intended use\n\n- Flag card transactions for a fraud analyst's review; not to decline a payment on its own.\n"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("Not stated (annotation `sextant.dev/limitations`)."))
        #expect(markdown.stdout.contains("- dataset: `transactions`"), "\(markdown.stdout)")

        let json = try await setup.run(["card", "fraud-detector", "--version", "1", "-o", "json", "--state-dir", setup.state.path])
        #expect(json.status == 0, "\(json.stderr)")
        let card = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(card["schema_version"] as? String == "0.0.2")
        let metrics = try #require((card["quantitative_analysis"] as? [String: Any])?["performance_metrics"] as? [[String: Any]])
        #expect(metrics.contains { $0["type"] as? String == "auc" && $0["slice"] == nil }, "\(json.stdout)")

        // The same bytes as the artifact's doc layer.
        let documents = try await Self.docLayer(state: setup.state.path, tag: "fraud-detector-v1")
        #expect(documents["model-card.json"] == json.stdout, "sextant card -o json is the packaged model-card.json")
        #expect(documents["model-card.md"] == markdown.stdout, "sextant card is the packaged model-card.md")

        let unknown = try await setup.run(["card", "fraud-detector", "--version", "9", "--state-dir", setup.state.path])
        #expect(unknown.status == 2 && unknown.stderr.contains("no version v9") && unknown.stderr.contains("v1"), "\(unknown.stderr)")
        let noModel = try await setup.run(["card", "fraud-detectr", "--state-dir", setup.state.path])
        #expect(noModel.status == 2 && noModel.stderr.contains("no model fraud-detectr"), "\(noModel.stderr)")

        // The daemon on the same state directory answers the same JSON, and --server reads it.
        let apiPort = try freePort()
        let logs = try TemporaryDirectory("sextant-card-logs")
        let daemon = try BackgroundProcess(sextantBinary, [
            "run", "--repo", setup.repository.path, "--state-dir", setup.state.path, "--listen", "127.0.0.1:\(apiPort)", "--interval", "1h",
            "--gateway", "127.0.0.1:\(setup.gatewayPort)",
        ], logPath: logs.path + "/sextant.log")
        let api = "http://127.0.0.1:\(apiPort)"
        let ready = try await eventually(timeout: .seconds(30)) { (try? await Self.get(api + "/readyz").status) == 200 }
        #expect(ready, "\(daemon.log)")
        let routed = try await Self.get(api + "/api/v1/models/fraud-detector/card?version=1")
        #expect(routed.status == 200 && routed.body == json.stdout, "\(routed.body)")
        let missing = try await Self.get(api + "/api/v1/models/fraud-detector/card?version=9")
        #expect(missing.status == 404 && missing.body.contains("no version v9"), "\(missing.body)")
        let remote = try await setup.run(["card", "fraud-detector", "--server", api])
        #expect(remote.status == 0 && remote.stdout == markdown.stdout, "\(remote.stderr)")
        _ = await daemon.stop()
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }

    /// The files of an artifact's doc layer, unpacked with tar.
    static func docLayer(state: String, tag: String) async throws -> [String: String] {
        let layout = state + "/artifacts"
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as! [String: Any]
        let entry = try #require((index["manifests"] as? [[String: Any]])?.first {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag
        })
        let blob = { (digest: String) in URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.dropFirst(7)) }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: blob(entry["digest"] as! String))) as! [String: Any]
        let layer = try #require((manifest["layers"] as? [[String: Any]])?.first { $0["mediaType"] as? String == "application/vnd.cncf.model.doc.v1.tar" })
        let directory = try TemporaryDirectory("sextant-docs")
        let untar = try await runProcess("/bin/tar", ["-xf", blob(layer["digest"] as! String).path, "-C", directory.path])
        #expect(untar.status == 0, "\(untar.stderr)")
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            files[name] = try String(contentsOfFile: directory.path + "/" + name, encoding: .utf8)
        }
        return files
    }
}
