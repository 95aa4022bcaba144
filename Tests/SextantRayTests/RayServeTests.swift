import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantRay
import SextantTestSupport
import Testing

/// Serve applications against a real single-node Ray: declared from a fixture deployment
/// uploaded as working_dir, RUNNING, answering through Serve's proxy on 127.0.0.1, and
/// removed by a declaration that leaves them out.
@Suite(.enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .serveTurns, .timeLimit(.minutes(10)))
struct RayServeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/echo_app").path

    static func application(_ name: String, prefix: String, package: RayPackage, greeting: String) -> ServeApplication {
        ServeApplication(name: name, routePrefix: prefix, importPath: "echo:build",
                         runtimeEnv: RayRuntimeEnv(workingDir: package.uri, envVars: ["SEXTANT_TEST_VALUE": "env-\(name)"]),
                         deployments: [ServeDeployment(name: "Echo", scale: .replicas(1))], args: ["greeting": greeting])
    }

    @Test("a declared application runs and answers on the proxy with its route prefix in the path; a declaration without it removes it")
    func declareAndRemove() async throws {
        let client = try RayCluster.client()
        let package = try RayPackage(directory: Self.fixture)
        try await client.upload(package)
        let options = ServeHTTPOptions(port: try freePort())
        try await client.declare(ServeDeclaration(httpOptions: options, applications: [Self.application("echo-r1", prefix: "/echo/r1", package: package, greeting: "one")]))

        var status = try await client.serveStatus()
        #expect(try await eventually(timeout: .seconds(240)) {
            status = try await client.serveStatus()
            let state = status.applications["echo-r1"]?.status
            if state == .deployFailed { return true }
            return state == .running
        })
        let application = try #require(status.applications["echo-r1"])
        #expect(application.status == .running, "\(application.message)")
        #expect(application.routePrefix == "/echo/r1")
        let deployment = try #require(application.deployments["Echo"])
        #expect(deployment.status == .healthy)
        #expect(deployment.replicas.map(\.state) == [.running])
        #expect(status.httpOptions?.host == "127.0.0.1" && status.httpOptions?.port == options.port)
        #expect(!status.proxies.isEmpty && status.proxies.values.allSatisfy { $0.nodeIP == "127.0.0.1" })

        let answer = try await Self.get("http://127.0.0.1:\(options.port)/echo/r1/v2/models/echo")
        #expect(answer.status == 200)
        #expect(answer.body.contains(#""path":"/echo/r1/v2/models/echo""#) || answer.body.contains(#""path": "/echo/r1/v2/models/echo""#), "\(answer.body)")
        #expect(answer.body.contains("one") && answer.body.contains("env-echo-r1"), "\(answer.body)")

        // Declarative: the next set names only echo-r2, so echo-r1 goes.
        try await client.declare(ServeDeclaration(httpOptions: options, applications: [Self.application("echo-r2", prefix: "/echo/r2", package: package, greeting: "two")]))
        #expect(try await eventually(timeout: .seconds(240)) {
            let applications = try await client.serveStatus().applications
            return applications["echo-r1"] == nil && applications["echo-r2"]?.status == .running
        })
        #expect(try await Self.get("http://127.0.0.1:\(options.port)/echo/r2/").body.contains("two"))
        #expect(try await Self.get("http://127.0.0.1:\(options.port)/echo/r1/").status == 404)

        try await client.declare(ServeDeclaration(httpOptions: options, applications: []))
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications.isEmpty })

        try await client.removeAllServeApplications()
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().proxies.isEmpty })
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
