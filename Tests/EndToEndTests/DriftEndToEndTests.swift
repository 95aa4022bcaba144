import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
import SextantCore
import SextantTestSupport
import Testing

/// Drift in the daemon (DESIGN §7 "Drift"): the serving version's training rows against the
/// newest logged rows, through the real daemon, gateway and server.
@Suite(.serialized) struct DriftEndToEndTests {
    @Test("rows like the training data: no dataset drift; rows with amount ×5 and account ages ÷10: exactly those two drift, Drift condition, one DriftDetected, gauges on /metrics (promtool-valid), sextant drift and the API agree")
    func driftDetected() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.commit("judge drift", "models/fraud-detector.yaml", replacing: "  serving:\n",
                       with: "  monitoring:\n    drift: {interval: 1s, window: 200}\n  serving:\n")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let rows = try OnlineAccuracyEndToEndTests.transactions()

        // Not enough rows yet: no verdict, said so.
        try await rig.waitFor("a first drift report") { rig.status()?.model?.drift != nil }
        let early = try #require(rig.status()?.model?.drift)
        #expect(early.datasetDrift == nil && early.reason?.contains("a verdict needs at least 100") == true, "\(early)")
        #expect(rig.status()?.conditions.first { $0.type == "Drift" }?.status == "Unknown")

        // 200 rows drawn like the training data.
        try await Self.send(Array(rows.prefix(200)), port: rig.gatewayPort, model: rig.model)
        try await rig.waitFor("a verdict on 200 rows") { rig.status()?.model?.drift?.current.rows == 200 }
        let calm = try #require(rig.status()?.model?.drift)
        #expect(calm.datasetDrift == false, "\(calm)")
        #expect(calm.version == 1 && calm.revisions == [1] && calm.reference.rows > 1000, "\(calm)")
        #expect(calm.prediction?.name == "predict", "the version's holdout answers are the prediction's reference: \(calm)")
        #expect(rig.status()?.conditions.first { $0.type == "Drift" }?.status == "False")
        // A verdict on a part of the 200 (the file's first rows are not a random sample) may
        // have come and gone meanwhile: what counts is one event for the shift below.
        let detectedBefore = rig.events(.driftDetected).count

        // 200 more, amount ×5 and account ages ÷10: the window holds only these.
        let shifted = rows[200..<400].map { row in
            var features = row.features
            features["amount"]! *= 5
            features["account_age_days"] = (features["account_age_days"]! / 10).rounded(.down)
            return (features: features, truth: row.truth)
        }
        try await Self.send(shifted, port: rig.gatewayPort, model: rig.model)
        try await rig.waitFor("dataset drift") { rig.status()?.model?.drift?.datasetDrift == true }

        let cli = try await sextant("drift", rig.model, "-o", "json", "--server", "http://127.0.0.1:\(rig.apiPort)")
        #expect(cli.status == 1, "exit status 1 while the dataset drifts: \(cli.stderr)")
        let report = try StatusDocument.jsonDecoder().decode(DriftReport.self, from: Data(cli.stdout.utf8))
        #expect(report.features.filter(\.drifted).map(\.name) == ["amount", "account_age_days"], "\(report)")
        #expect(report.features.map(\.name) == ["amount", "hour", "merchant_risk", "account_age_days"])
        #expect(report.current.rows == 200 && report.driftedShare == 0.5 && report.datasetDrift == true, "\(report)")
        let condition = try #require(rig.status()?.conditions.first { $0.type == "Drift" })
        #expect(condition.status == "True" && condition.message.contains("amount, account_age_days drifted"), "\(condition)")
        try await rig.waitFor("the DriftDetected event") { rig.events(.driftDetected).count > detectedBefore }
        #expect(rig.events(.driftDetected).count == detectedBefore + 1)
        #expect(rig.observation()?.drift?.drifted == true, "the verdict is kept in the model's observation")

        let table = try await sextant("drift", rig.model, "--state-dir", rig.state.path)
        #expect(table.stdout.contains("FEATURE") && table.stdout.contains("dataset drift: yes — 2 of 4 features (50% ≥ 50%)"), "\(table.stdout)")
        let get = try await sextant("get", rig.model, "--state-dir", rig.state.path)
        #expect(get.stdout.contains("Drift:") && get.stdout.contains("dataset drift: yes"), "\(get.stdout)")

        let unknown = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(rig.apiPort)/api/v1/models/fraud-detectr/drift"),
                                                          timeout: .seconds(10))
        let unknownBody = String(buffer: try await unknown.body.collect(upTo: 1 << 20))
        #expect(unknown.status.code == 404 && unknownBody.contains("no model fraud-detectr"), "\(unknownBody)")

        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(rig.apiPort)/metrics"), timeout: .seconds(10))
        let metrics = String(buffer: try await response.body.collect(upTo: 8 << 20))
        #expect(metrics.contains(#"sextant_dataset_drift{model="fraud-detector"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"sextant_feature_drift{model="fraud-detector",feature="amount",method=""#), "\(metrics)")
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        // A restarted daemon keeps the recorded verdict: no second event.
        _ = await rig.daemon?.stop()
        try rig.startDaemon()
        try await rig.waitFor("the restarted daemon's drift report") {
            (rig.status()?.model?.drift?.computedAt ?? .distantPast) > report.computedAt && rig.status()?.model?.drift?.datasetDrift == true
        }
        #expect(rig.events(.driftDetected).count == detectedBefore + 1, "\(rig.events(.driftDetected))")
    }

    /// Rows in requests of 50 through the gateway, each answered 200.
    static func send(_ rows: [(features: [String: Double], truth: Bool)], port: Int, model: String) async throws {
        for start in stride(from: 0, to: rows.count, by: 50) {
            let batch = rows[start..<min(start + 50, rows.count)]
            let inputs = ["amount", "hour", "merchant_risk", "account_age_days"].map { name in
                let integer = name == "hour" || name == "account_age_days"
                let values = batch.map { integer ? String(Int($0.features[name]!)) : String($0.features[name]!) }
                return #"{"name":"\#(name)","datatype":"\#(integer ? "INT64" : "FP64")","shape":[\#(batch.count)],"data":[\#(values.joined(separator: ","))]}"#
            }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/models/\(model)/infer")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"inputs":[\#(inputs.joined(separator: ","))]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            try #require(response.status == .ok, "\(body)")
        }
    }
}
