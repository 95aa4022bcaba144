import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SextantHTTP
import ServiceLifecycle
@testable import SextantServing

/// A `ModelServer` listening on a free loopback port for the length of a test, run as
/// `serve-model` runs it (a service in a `ServiceGroup`, shut down gracefully), and the
/// requests tests send it.
enum LoopbackModelServer {
    /// Runs `server` with `limits` for `body`, which gets its port.
    static func with(_ server: ModelServer, limits: HTTPLimits = HTTPLimits(), _ body: (Int) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.application(host: "127.0.0.1", port: 0, limits: limits, logger: Logger(label: "test")) { continuation.yield($0) }
        let services = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body(port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    struct Answer {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
        var text: String { String(buffer: body) }

        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as! [String: Any]
        }
    }

    static func send(port: Int, _ path: String, method: HTTPMethod = .GET, body: ByteBuffer? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let body { request.body = .bytes(body) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        return Answer(status: response.status, headers: response.headers, body: try await response.body.collect(upTo: 64 << 20))
    }

    static func infer(port: Int, _ body: String) async throws -> Answer {
        try await send(port: port, "/v2/models/m/infer", method: .POST, body: ByteBuffer(string: body))
    }
}
