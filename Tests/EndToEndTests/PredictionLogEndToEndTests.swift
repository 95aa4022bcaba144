import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantTestSupport
import SextantWire

/// The prediction log and feedback through the real `sextant gateway` process: request
/// ids in and out, the exact bytes read back from the segments with the reader the daemon
/// uses, feedback stored with no daemon running, and `sextant feedback --csv`.
@Suite(.serialized) struct PredictionLogEndToEndTests {
    @Test("every inference exchange is logged with its id and exact bytes (errors too); feedback is stored, per-item errors named; metrics pass promtool")
    func predictionLogAndFeedback() async throws {
        let rig = try await StandaloneGateway()
        let (work, server, serverPort, gateway, port, adminPort) = (rig.work, rig.server, rig.serverPort, rig.gateway, rig.port, rig.adminPort)
        func call(_ url: String, body: String, method: HTTPMethod = .POST, headers: [(String, String)] = []) async throws -> (Int, String, HTTPHeaders) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.body = .bytes(ByteBuffer(string: body))
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)), response.headers)
        }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await eventually { (try? await call(base + "/v2/health/ready", body: "", method: .GET).0) == 200 }, "\(gateway.log)")
        #expect(try await eventually { (try? await call("http://127.0.0.1:\(serverPort)/v2/health/ready", body: "", method: .GET).0) == 200 }, "\(server.log)")
        let token = try String(contentsOfFile: work.path + "/gateway.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let table = RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 7, version: 3, role: .stable, weight: 100, endpoints: loopbackEndpoints([serverPort]))],
            log: PredictionLogSettings(sample: 1), target: .integer)])
        let pushed = try await call("http://127.0.0.1:\(adminPort)/admin/v1/routes", body: String(decoding: try JSONEncoder().encode(table), as: UTF8.self),
                                    method: .PUT, headers: [("Authorization", "Bearer \(token)")])
        #expect(pushed.0 == 200)

        // The client's id is kept; a request without one (or with an invalid one) gets a ULID.
        let (status, answer, headers) = try await call(base + "/v2/models/fraud/infer", body: GatewayEndToEndTests.request,
                                                       headers: [("X-Request-Id", "client-42"), ("Content-Type", "application/json")])
        #expect(status == 200, "\(answer)")
        #expect(headers.first(name: "X-Request-Id") == "client-42")
        #expect(headers[canonicalForm: "X-Request-Id"].count == 1, "one id in the answer, even when the server sends its own")
        let (_, _, minted) = try await call(base + "/v2/models/fraud/infer", body: GatewayEndToEndTests.request, headers: [("X-Request-Id", "not valid!")])
        let ulid = try #require(minted.first(name: "X-Request-Id"))
        #expect(ulid.count == 26 && ulid != "not valid!")
        let (badStatus, badAnswer, badHeaders) = try await call(base + "/v2/models/fraud/infer", body: #"{"inputs":[]}"#, headers: [("X-Request-Id", "bad-1")])
        #expect(badStatus == 400)
        #expect(badHeaders.first(name: "X-Request-Id") == "bad-1", "errors carry the id too")

        // Read back with the daemon's reader: exact bytes, status, revision, version.
        let reader = SegmentReader<PredictionRecord>(state: work.path, model: "fraud")
        var records: [PredictionRecord] = []
        var cursor: SegmentCursor?
        #expect(try await eventually {
            let batch = try reader.read(from: cursor)
            records += batch.records
            cursor = batch.cursor
            return records.count >= 3
        }, "\(gateway.log)")
        #expect(records.map(\.requestId) == ["client-42", ulid, "bad-1"])
        #expect(records[0].request.bytes == Array(GatewayEndToEndTests.request.utf8))
        #expect(records[0].request.contentType == "application/json")
        #expect(records[0].answer.bytes == Array(answer.utf8))
        #expect(records[0].status == 200 && records[0].revision == 7 && records[0].version == 3 && records[0].model == "fraud")
        #expect(records[0].latencyMs > 0 && records[0].latencyMs < 10_000)
        #expect(records[2].status == 400 && records[2].answer.bytes == Array(badAnswer.utf8), "non-200 answers are logged as they were")

        // Feedback: good and bad items, with no daemon running.
        let (feedbackStatus, receipt, _) = try await call(base + "/v2/models/fraud/feedback", body: """
            {"feedback": [{"id": "client-42", "truth": 1, "kpi": {"revenue": 12.5}}, {"id": "\(ulid)", "truth": "fraud"}, {"id": "x y", "truth": 0}]}
            """)
        #expect(feedbackStatus == 202, "\(receipt)")
        let decoded = try JSONDecoder().decode(FeedbackReceipt.self, from: Data(receipt.utf8))
        #expect(decoded.accepted == 1 && decoded.rejected.map(\.index) == [1, 2], "\(receipt)")
        #expect(try await call(base + "/v2/models/fraud/feedback", body: "[1, 2").0 == 400)
        #expect(try await call(base + "/v2/models/churn/feedback", body: #"{"feedback": []}"#).0 == 404)

        // The CLI: CSV lines of rejected items are named.
        try "id,truth,kpi.revenue\n\(ulid),0,3\nbad id,1,\n".write(toFile: work.path + "/labels.csv", atomically: true, encoding: .utf8)
        let sent = try await runProcess(sextantBinary, ["feedback", "fraud", "--csv", work.path + "/labels.csv", "--gateway", base])
        #expect(sent.status == 1, "an item was rejected: \(sent.stdout)\(sent.stderr)")
        #expect(sent.stdout.contains("fraud: 1 accepted, 1 rejected"), "\(sent.stdout)")
        #expect(sent.stdout.contains("labels.csv:3: id \"bad id\" is not a request id"), "\(sent.stdout)")

        let feedback = SegmentReader<FeedbackRecord>(state: work.path, model: "fraud")
        var labels: [FeedbackRecord] = []
        #expect(try await eventually {
            labels = try feedback.read(from: nil).records
            return labels.count >= 2
        }, "\(gateway.log)")
        #expect(labels.map(\.id) == ["client-42", ulid])
        #expect(labels[0].truth == .scalar(.integer(1)) && labels[0].kpi == ["revenue": 12.5])
        #expect(labels[1].truth == .scalar(.integer(0)) && labels[1].kpi == ["revenue": 3])

        let metrics = try await call(base + "/metrics", body: "", method: .GET).1
        #expect(metrics.contains(#"sextant_gateway_prediction_log_records_total{model="fraud",result="written"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"sextant_gateway_feedback_items_total{model="fraud",result="accepted"} 2"#), "\(metrics)")
        #expect(metrics.contains("sextant_gateway_prediction_log_queue_bytes 0"))
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }
        #expect(await gateway.stop(SIGTERM) == 0, "\(gateway.log)")
        #expect(await server.stop(SIGTERM) != nil)
    }
}
