import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantCore
import SextantTestSupport
import SextantWire

/// Requests a hostile client sends through the gateway to a real `serve-model`: each is a
/// 4xx naming what is wrong, and the same server process keeps serving.
@Suite(.serialized) struct HostileRequestEndToEndTests {
    static let features = #"""
        {"name":"hour","datatype":"INT64","shape":[1],"data":[14]},{"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.2]},
        {"name":"account_age_days","datatype":"INT64","shape":[1],"data":[900]}
        """#

    /// (what, body, Inference-Header-Content-Length, a part of the error)
    static let hostile: [(String, String, String?, String)] = [
        ("a shape of 1e300", #"{"inputs":[{"name":"amount","shape":[1e300],"datatype":"FP64","data":[1]},"# + features + "]}", nil,
         "input amount: shape [1e+300]"),
        ("a binary_data_size of 1e300", #"{"inputs":[{"name":"amount","shape":[1],"datatype":"FP64","parameters":{"binary_data_size":1e300}},"# + features + "]}", nil,
         "input amount: binary_data_size 1e+300"),
        ("an Inference-Header-Content-Length of 1e300", #"{"inputs":[{"name":"amount","shape":[1],"datatype":"FP64","data":[1]},"# + features + "]}", "1e300",
         "Inference-Header-Content-Length"),
        ("text for a number", #"{"inputs":[{"name":"amount","shape":[1],"datatype":"BYTES","data":["12.5"]},"# + features + "]}", nil,
         "input amount: datatype BYTES, but the model reads amount as a number"),
        ("an INT8 of 100000", #"{"inputs":[{"name":"amount","shape":[1],"datatype":"INT8","data":[100000]},"# + features + "]}", nil,
         "outside INT8's range"),
        ("JSON nested 100,000 deep", #"{"inputs":[{"name":"amount","shape":[1],"datatype":"FP64","data":"# + String(repeating: "[", count: 100_000)
            + "1" + String(repeating: "]", count: 100_000) + "}]}", nil, "the request is not JSON"),
    ]

    @Test("hostile numbers through the gateway: each a 400 naming the input, 20 in a row, and the same server process keeps serving")
    func hostileThroughTheGateway() async throws {
        let work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", packageRoot + "/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
            "--features", "amount,hour,merchant_risk,account_age_days", "--seed", "42", "--output", work.path + "/model",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let serverPort = try freePort()
        let server = try BackgroundProcess(sextantBinary, ["serve-model", "--artifact", work.path + "/model", "--port", "\(serverPort)", "--name", "fraud"],
                                           logPath: work.path + "/serve.log", environment: ["PATH": "/usr/bin:/bin"])
        let port = try freePort(), adminPort = try freePort()
        let gateway = try BackgroundProcess(sextantBinary, ["gateway", "--state-dir", work.path, "--listen", "127.0.0.1:\(port)", "--admin-port", "\(adminPort)"],
                                            logPath: work.path + "/gateway.log", environment: ["PATH": "/usr/bin:/bin"])
        func call(_ url: String, method: HTTPMethod = .POST, body: String? = nil, headers: [(String, String)] = []) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await eventually { (try? await call(base + "/v2/health/ready", method: .GET).0) == 200 }, "\(gateway.log)")
        #expect(try await eventually { (try? await call("http://127.0.0.1:\(serverPort)/v2/health/ready", method: .GET).0) == 200 }, "\(server.log)")
        let token = try String(contentsOfFile: work.path + "/gateway.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let table = RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([serverPort]))])])
        let routed = try await call("http://127.0.0.1:\(adminPort)/admin/v1/routes", method: .PUT, body: String(decoding: try JSONEncoder().encode(table), as: UTF8.self),
                                    headers: [("Authorization", "Bearer \(token)")])
        #expect(routed.0 == 200, "\(routed.1)")

        let pid = server.pid
        for (what, body, headerLength, message) in Self.hostile {
            for attempt in 1...20 {
                let (status, answer) = try await call(base + "/v2/models/fraud/infer", body: body,
                                                      headers: headerLength.map { [("Inference-Header-Content-Length", $0)] } ?? [])
                #expect(status == 400, "\(what), attempt \(attempt): \(status) \(answer.prefix(300))")
                #expect(answer.contains(message), "\(what): \(answer.prefix(300))")
                if status != 400 { break }
            }
            #expect(server.isRunning && server.pid == pid, "\(what): the server died:\n\(server.log)")
        }
        let (status, answer) = try await call(base + "/v2/models/fraud/infer",
                                              body: #"{"inputs":[{"name":"amount","shape":[1],"datatype":"FP64","data":[20]},"# + Self.features + "]}")
        #expect(status == 200, "the same server still answers: \(answer)")
        #expect(await gateway.stop(SIGTERM) == 0, "\(gateway.log)")
        #expect(await server.stop(SIGTERM) == 0, "\(server.log)")
    }
}
