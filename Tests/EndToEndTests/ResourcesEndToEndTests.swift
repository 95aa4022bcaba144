import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// What a serving revision uses, as built: the daemon samples its server from /proc and
/// shows it in status, on `/metrics`, in `get` and in `history`.
@Suite(.serialized) struct ResourcesEndToEndTests {
    @Test("a deployed model's CPU seconds, resident memory and CPU per 1,000 predictions: in status JSON, on /metrics (promtool-valid), in get, and in history after the daemon stops")
    func servingRevision() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        for _ in 0..<40 {
            let answer = try await RolloutEndToEndTests.infer(rig)
            #expect(answer.status == 200, "\(answer.body)")
        }
        try await rig.waitFor("status to count the predictions", timeout: .seconds(30)) {
            (rig.status()?.model?.traffic.first?.resources?.predictions ?? 0) >= 40
        }

        // status -o json, as a user reads it.
        let printed = try await runProcess(sextantBinary, ["status", rig.model, "-o", "json", "--state-dir", rig.state.path])
        let document = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(printed.stdout.utf8))
        let model = try #require(document.objects.first { $0.kind == .model }?.model)
        let stable = try #require(model.traffic.first { $0.role == "stable" }?.resources, "\(printed.stdout)")
        #expect(stable.cpuSeconds > 0 && stable.residentBytes > 1 << 20, "\(stable)")
        #expect(stable.predictions >= 40)
        #expect((stable.cpuSecondsPer1000Predictions ?? 0) > 0, "\(stable)")
        let replica = try #require(model.replicas.first?.resources, "\(printed.stdout)")
        #expect(replica.cpuSeconds > 0 && replica.residentBytes > 1 << 20, "\(replica)")
        #expect(printed.stdout.contains("\"cpuSecondsPer1000Predictions\""))

        // Both families on the daemon's /metrics, for replica 0 of r1, and valid for promtool.
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(rig.apiPort)/metrics"), timeout: .seconds(10))
        let metrics = String(buffer: try await response.body.collect(upTo: 8 << 20))
        let labels = #"{model="fraud-detector",revision="1",replica="0"}"#
        for family in ["sextant_replica_cpu_seconds_total", "sextant_replica_resident_bytes"] {
            let line = metrics.split(separator: "\n").first { $0.hasPrefix(family + labels + " ") }
            let value = try #require(line.flatMap { Double($0.split(separator: " ").last!) }, "no \(family)\(labels) in:\n\(metrics)")
            #expect(value > 0, "\(family)")
        }
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        let get = try await runProcess(sextantBinary, ["get", rig.model, "--state-dir", rig.state.path])
        #expect(get.stdout.contains("CPU") && get.stdout.contains("MiB"), "\(get.stdout)")

        // history reads the store: the totals outlive the daemon.
        #expect(await rig.daemon?.stop() == 0)
        let history = try await runProcess(sextantBinary, ["history", rig.model, "--state-dir", rig.state.path, "-o", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        struct History: Decodable {
            struct Version: Decodable { var revisions: [Revision] }
            struct Revision: Decodable {
                var revision: Int
                var resources: ResourceStatus?
            }
            var versions: [Version]
        }
        let revisions = try StatusDocument.jsonDecoder().decode(History.self, from: Data(history.stdout.utf8)).versions.flatMap(\.revisions)
        let stored = try #require(revisions.first { $0.revision == 1 }?.resources, "\(history.stdout)")
        #expect(stored.cpuSeconds >= stable.cpuSeconds && stored.predictions >= 40, "\(stored)")
        let table = try await runProcess(sextantBinary, ["history", rig.model, "--state-dir", rig.state.path])
        #expect(table.stdout.contains("s/1k)"), "the CPU column: \(table.stdout)")
    }
}
