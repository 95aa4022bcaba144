import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantCore
import SextantStore
import SextantTestSupport
import SextantWire

/// The data plane's HTTP limits (DESIGN §6 "No request can crash a server") on the built
/// binary: `sextant serve-model` and `sextant gateway` as processes get every kind of bad
/// request, answer each with a 4xx (or an idle close) and go on serving, the same process;
/// and the daemon passes `--max-request-bytes` on to the servers it starts.
@Suite(.serialized) struct HTTPLimitsEndToEndTests {
    static let limitFlags = ["--max-request-bytes", "1048576", "--header-timeout", "300ms", "--body-timeout", "300ms", "--idle-timeout", "1s"]
    static let request = #"""
        {"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[20]},{"name":"hour","datatype":"INT64","shape":[1],"data":[14]},
        {"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.2]},{"name":"account_age_days","datatype":"INT64","shape":[1],"data":[900]}]}
        """#

    /// Every probe against one server process; after each, the process is the same and serves.
    static func probeAll(_ name: String, _ probe: LimitProbe, process: BackgroundProcess) async throws {
        let pid = process.pid
        func stillServes(after what: String) async throws {
            #expect(process.isRunning && ModelLifecycleEndToEndTests.alive(pid), "\(name) died after \(what): \(process.log)")
            let answer = try await probe.ordinary(request)
            #expect(answer.status == 200 && answer.body.contains(#""outputs""#), "\(name) after \(what): \(answer)")
        }
        let tooLarge = try await probe.tooLargeByLength(96_000_000)
        #expect(tooLarge.status == 413 && tooLarge.closed, "\(name): \(tooLarge)")
        #expect(tooLarge.error == "the request body is 96000000 bytes; this server takes at most 1048576 (--max-request-bytes)", "\(name)")
        try await stillServes(after: "a 96 MB Content-Length")

        let chunked = try await probe.tooLargeChunked(size: 4 << 20)
        #expect(chunked.status == 413 && chunked.closed && chunked.answers == 1, "\(name): \(chunked)")
        try await stillServes(after: "a chunked body over the limit")

        let slow = try await probe.slowHead()
        #expect(slow.status == 408 && slow.closed, "\(name): \(slow)")
        #expect(slow.error == "the request head was not complete within 0.3 s (header timeout)", "\(name)")
        try await stillServes(after: "a slow head")

        let short = try await probe.shortBody()
        #expect(short.status == 408 && short.closed && short.answers == 1, "\(name): \(short)")
        #expect(short.error == "the request body is short: 10 of its 100 bytes arrived, then nothing for 0.3 s (body timeout)", "\(name)")
        try await stillServes(after: "a short body")

        let malformed = try await probe.malformedChunk()
        #expect(malformed.status == 400 && malformed.closed && malformed.answers == 1, "\(name): \(malformed)")
        try await stillServes(after: "a malformed chunk")

        let idle = try await probe.idle()
        #expect(idle.closed && idle.raw.isEmpty, "\(name): \(idle)")
        try await stillServes(after: "an idle connection")
    }

    @Test("serve-model and gateway processes answer oversized, slow, short and malformed requests with 413, 408, 400, close idle connections, and keep serving with the same pid")
    func processesKeepServing() async throws {
        let work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", packageRoot + "/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
            "--features", "amount,hour,merchant_risk,account_age_days", "--seed", "42", "--output", work.path + "/model",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let serverPort = try freePort(), port = try freePort(), adminPort = try freePort()
        let server = try BackgroundProcess(sextantBinary, ["serve-model", "--artifact", work.path + "/model", "--port", "\(serverPort)", "--name", "fraud"] + Self.limitFlags,
                                           logPath: work.path + "/serve.log", environment: ["PATH": "/usr/bin:/bin"])
        let gateway = try BackgroundProcess(sextantBinary, ["gateway", "--state-dir", work.path, "--listen", "127.0.0.1:\(port)", "--admin-port", "\(adminPort)"]
                                                + Self.limitFlags, logPath: work.path + "/gateway.log", environment: ["PATH": "/usr/bin:/bin"])
        func status(_ url: String, method: HTTPMethod = .GET, body: String? = nil, token: String? = nil) async -> Int? {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            return (try? await HTTPClient.shared.execute(request, timeout: .seconds(5))).map { Int($0.status.code) }
        }
        #expect(try await eventually { await status("http://127.0.0.1:\(serverPort)/v2/health/ready") == 200 }, "\(server.log)")
        #expect(try await eventually { await status("http://127.0.0.1:\(port)/v2/health/ready") == 200 }, "\(gateway.log)")
        let token = try String(contentsOfFile: work.path + "/gateway.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let table = RoutingTable(generation: 1, models: ["fraud": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: loopbackEndpoints([serverPort]))])])
        #expect(await status("http://127.0.0.1:\(adminPort)/admin/v1/routes", method: .PUT, body: String(decoding: try JSONEncoder().encode(table), as: UTF8.self),
                             token: token) == 200)

        try await Self.probeAll("serve-model", LimitProbe(port: serverPort, path: "/v2/models/fraud/infer"), process: server)
        try await Self.probeAll("gateway", LimitProbe(port: port, path: "/v2/models/fraud/infer"), process: gateway)

        #expect(await gateway.stop(SIGTERM) == 0, "\(gateway.log)")
        #expect(await server.stop(SIGTERM) == 0, "\(server.log)")
    }

    @Test("reconcile --once --max-request-bytes: the gateway and the model servers it starts take that limit")
    func daemonPassesTheLimitOn() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let run = try await setup.reconcile("--max-request-bytes", "1048576")
        #expect(run.status == 0, "\(run.stderr)")
        let replica = try #require(try setup.replicas("fraud-detector").first)
        #expect(replica.command.suffix(2) == ["--max-request-bytes", "1048576"], "\(replica.command)")
        let gateway = try #require(try SQLiteStore(readingFrom: setup.state.path).gateway())
        #expect(gateway.command.suffix(2) == ["--max-request-bytes", "1048576"], "\(gateway.command)")
        for port in [replica.port, setup.gatewayPort] {
            let outcome = try await LimitProbe(port: port, path: "/v2/models/fraud-detector/infer").tooLargeByLength(2 << 20)
            #expect(outcome.status == 413, "port \(port): \(outcome)")
            #expect(outcome.error?.hasSuffix("this server takes at most 1048576 (--max-request-bytes)") == true)
        }
    }
}
