import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantCore
import SextantTestSupport
import SextantWire

/// `sextant gateway` as a process: routes pushed on its admin endpoint with the state
/// directory's token, tritonclient's binary protocol through it, /metrics for promtool.
@Suite(.serialized) struct GatewayEndToEndTests {
    static let request = #"""
        {"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[20]},{"name":"hour","datatype":"INT64","shape":[1],"data":[14]},
        {"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.2]},{"name":"account_age_days","datatype":"INT64","shape":[1],"data":[900]}]}
        """#

    @Test("the gateway process: 404 before routes, admin token and generations, binary passthrough for tritonclient, valid /metrics; a taken port is a clear error")
    func gatewayProcess() async throws {
        let rig = try await StandaloneGateway()
        let (work, server, serverPort, gateway, port, adminPort) = (rig.work, rig.server, rig.serverPort, rig.gateway, rig.port, rig.adminPort)
        func call(_ method: HTTPMethod, _ url: String, body: String? = nil, token: String? = nil) async throws -> (Int, String, HTTPHeaders) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)), response.headers)
        }
        let base = "http://127.0.0.1:\(port)", admin = "http://127.0.0.1:\(adminPort)"
        #expect(try await eventually { (try? await call(.GET, base + "/v2/health/ready").0) == 200 }, "\(gateway.log)")
        #expect(try await eventually { (try? await call(.GET, "http://127.0.0.1:\(serverPort)/v2/health/ready").0) == 200 }, "\(server.log)")
        #expect(try await call(.POST, base + "/v2/models/fraud/infer", body: "{}").0 == 404, "no routes yet: unknown model")

        let token = try String(contentsOfFile: work.path + "/gateway.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = try FileManager.default.attributesOfItem(atPath: work.path + "/gateway.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let table = RoutingTable(generation: 4, models: ["fraud": ModelRoute(backends: [RouteBackend(revision: 7, version: 3, role: .stable, weight: 100, endpoints: loopbackEndpoints([serverPort]))])])
        let json = String(decoding: try JSONEncoder().encode(table), as: UTF8.self)
        #expect(try await call(.PUT, admin + "/admin/v1/routes", body: json).0 == 401, "no token, no routes")
        #expect(try await call(.PUT, admin + "/admin/v1/routes", body: json, token: "wrong").0 == 401)
        #expect(try await call(.PUT, admin + "/admin/v1/routes", body: json, token: token).0 == 200)
        var older = table
        older.generation = 3
        #expect(try await call(.PUT, admin + "/admin/v1/routes", body: String(decoding: try JSONEncoder().encode(older), as: UTF8.self), token: token).0 == 409)

        let (status, answer, headers) = try await call(.POST, base + "/v2/models/fraud/infer", body: """
            {"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[20]},{"name":"hour","datatype":"INT64","shape":[1],"data":[14]},
            {"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.2]},{"name":"account_age_days","datatype":"INT64","shape":[1],"data":[900]}]}
            """)
        #expect(status == 200, "\(answer)")
        #expect(headers.first(name: "X-Sextant-Revision") == "7")
        #expect(answer.contains(#""model_version":"3""#))
        let (badStatus, badAnswer, _) = try await call(.POST, base + "/v2/models/fraud/infer", body: #"{"inputs":[]}"#)
        #expect(badStatus == 400, "the server's 4xx passes through untouched: \(badAnswer)")

        if let python = ProcessInfo.processInfo.environment["SEXTANT_TRITONCLIENT_PYTHON"] {
            let checked = try await runProcess(python, [packageRoot + "/scripts/check-tritonclient.py", "127.0.0.1:\(port)", "fraud"])
            #expect(checked.status == 0, "tritonclient through the gateway: \(checked.stdout)\(checked.stderr)")
        }

        let statistics = try JSONDecoder().decode(GatewayStatistics.self, from: Data(try await call(.GET, admin + "/admin/v1/stats", token: token).1.utf8))
        let counters = statistics.counters(model: "fraud", revision: 7)
        #expect(counters.requests >= 2 && counters.clientErrors >= 1 && counters.errors == 0)
        #expect(statistics.generation == 4)
        let metrics = try await call(.GET, base + "/metrics").1
        #expect(metrics.contains(#"sextant_gateway_requests_total{model="fraud",revision="7",outcome="client_error"}"#))
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        // A revision whose server refuses connections: its requests are retried on r7, and
        // count as its errors.
        let closedPort = try freePort()
        let split = RoutingTable(generation: 5, models: ["fraud": ModelRoute(backends: [
            RouteBackend(revision: 7, version: 3, role: .stable, weight: 50, endpoints: loopbackEndpoints([serverPort])),
            RouteBackend(revision: 8, version: 3, role: .candidate, weight: 50, endpoints: loopbackEndpoints([closedPort])),
        ])])
        #expect(try await call(.PUT, admin + "/admin/v1/routes", body: String(decoding: try JSONEncoder().encode(split), as: UTF8.self), token: token).0 == 200)
        for _ in 0..<10 {
            let (code, text, served) = try await call(.POST, base + "/v2/models/fraud/infer", body: Self.request)
            #expect(code == 200, "\(text)")
            #expect(served.first(name: "X-Sextant-Revision") == "7")
        }
        let afterRetries = try JSONDecoder().decode(GatewayStatistics.self, from: Data(try await call(.GET, admin + "/admin/v1/stats", token: token).1.utf8))
        #expect(afterRetries.counters(model: "fraud", revision: 8).errors == 5)
        #expect(afterRetries.counters(model: "fraud", revision: 8).requests == 5)

        // The server goes away: the gateway answers 502 naming the revision, at once.
        #expect(await server.stop(SIGKILL) != nil)
        let (gone, goneAnswer, goneHeaders) = try await call(.POST, base + "/v2/models/fraud/infer", body: "{}")
        #expect(gone == 502, "\(goneAnswer)")
        #expect(["7", "8"].contains(goneHeaders.first(name: "X-Sextant-Revision") ?? ""), "the answer names the revision that failed last")

        // A second gateway on the same port: one clear line, exit 2.
        let second = try await runProcess(sextantBinary, ["gateway", "--state-dir", work.path, "--listen", "127.0.0.1:\(port)"])
        #expect(second.status == 2)
        #expect(second.stderr == "error: --listen 127.0.0.1:\(port) is taken by another process; stop it or pass --listen with a free port\n", "\(second.stderr)")
        #expect(await gateway.stop(SIGTERM) == 0, "\(gateway.log)")
    }
}
