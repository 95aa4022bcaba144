import AsyncHTTPClient
import Foundation
public import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1
public import SextantCore
import Synchronization

/// Sextant's gateway (DESIGN §5 "Gateway"): routes Open Inference Protocol v2 requests of
/// every model to its revisions by the routing table, passes request and answer bytes
/// through untouched, names the revision that served in `X-Sextant-Revision`, retries a
/// request that failed before any answer byte once on another revision, and counts
/// every request per revision. Routes arrive on a loopback admin endpoint with a token.
public final class Gateway: Sendable {
    /// A new id per process: the daemon restarts a step's sample window when it changes.
    public let instance: String
    private let routes: Mutex<RouteTable>
    private let counters = TrafficCounters()
    private let token: String
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let logger: Logger

    public static let revisionField = HTTPField.Name("X-Sextant-Revision")!

    /// - Parameters:
    ///   - routes: the table loaded from the store at start (generation 0: none yet).
    ///   - token: what admin calls must carry as `Authorization: Bearer …`.
    ///   - timeout: how long a server may take to answer (then an error: 504).
    public init(routes: RoutingTable, token: String, timeout: Duration = .seconds(30), logger: Logger) {
        instance = UUID().uuidString.lowercased()
        self.routes = Mutex(RouteTable(routes))
        self.token = token
        self.timeout = .milliseconds(Int64(timeout.seconds * 1000))
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // Servers are on loopback: a refused connection is final at once (the pool would
        // otherwise keep trying for 10 s), and the request goes to another revision.
        configuration.timeout = .init(connect: .milliseconds(250))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public var generation: Int { routes.withLock { $0.table.generation } }

    // MARK: - Inference

    /// The public listener: OIP v2 for every model, health, and `/metrics`.
    public func application(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(responder: CallbackResponder<BasicRequestContext> { request, _ in try await self.respond(to: request) },
                    configuration: .init(address: .hostname(host, port: port), serverName: "sextant-gateway"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    func respond(to request: Request) async throws -> Response {
        let path = request.uri.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch (request.method, parts.count) {
        case (.get, 3) where parts[0] == "v2" && parts[1] == "health":
            return parts[2] == "live" || parts[2] == "ready" ? Response(status: .ok) : Self.error("no such endpoint \(path)", status: .notFound)
        case (.get, 1) where parts[0] == "metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: counters.prometheus(generation: generation))))
        case (_, 3...) where parts[0] == "v2" && parts[1] == "models":
            // Only inference is a sample of a revision; metadata and readiness calls are not.
            let inference = request.method == .post && parts.last == "infer"
            return try await proxy(request, model: String(parts[2]), counted: inference)
        default:
            return Self.error("no such endpoint \(path); inference is POST /v2/models/{name}/infer", status: .notFound)
        }
    }

    private func proxy(_ request: Request, model: String, counted: Bool) async throws -> Response {
        let headers = request.headers
        let header: (String) -> String? = { name in HTTPField.Name(name).flatMap { headers[$0] } }
        guard let first = routes.withLock({ table -> RouteTable.Target?? in
            guard table.knows(model) else { return .none }
            return .some(table.choose(model: model, header: header))
        }) else {
            return Self.error("unknown model \(model): no revision of it is routed here", status: .notFound)
        }
        guard let first else { return Self.error("no server of \(model) is ready", status: .serviceUnavailable) }
        let body = try await request.body.collect(upTo: 256 << 20)
        var target = first
        var retried = false
        while true {
            // Each attempt is timed on its own, from when the whole request is in hand.
            let started = ContinuousClock.now
            do {
                let response = try await forward(request, body: body, to: target)
                let answer = try await response.body.collect(upTo: 256 << 20)
                let elapsed = ContinuousClock.now - started
                if counted {
                    counters.record(model: model, revision: target.revision,
                                    .answered(status: Int(response.status.code), microseconds: UInt64(elapsed.seconds * 1_000_000)), retried: retried)
                }
                var fields = HTTPFields()
                for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) {
                    if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
                }
                fields[Self.revisionField] = String(target.revision)
                return Response(status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase), headers: fields,
                                body: .init(byteBuffer: answer))
            } catch let failure as ForwardFailure {
                // No byte of an answer arrived: inference is idempotent, try another revision
                // once (not after a timeout: the client has waited long enough).
                if counted { counters.record(model: model, revision: target.revision, .failed) }
                let next = retried || failure.timedOut ? nil : routes.withLock { $0.choose(model: model, header: header, excluding: target) }
                guard let next else {
                    logger.warning("request failed", metadata: ["model": "\(model)", "revision": "\(target.revision)", "error": "\(failure.message)"])
                    return Self.error("r\(target.revision) of \(model) did not answer: \(failure.message)", status: failure.timedOut ? .gatewayTimeout : .badGateway,
                                      revision: target.revision)
                }
                target = next
                retried = true
            } catch {
                // The answer broke off midway: too late to retry.
                if counted { counters.record(model: model, revision: target.revision, .failed) }
                return Self.error("r\(target.revision) of \(model) broke off its answer: \(error)", status: .badGateway, revision: target.revision)
            }
        }
    }

    private struct ForwardFailure: Error {
        var message: String
        var timedOut: Bool
    }

    /// Sends the request to one server; throws `ForwardFailure` when no answer began.
    private func forward(_ request: Request, body: ByteBuffer, to target: RouteTable.Target) async throws -> HTTPClientResponse {
        var outgoing = HTTPClientRequest(url: "http://127.0.0.1:\(target.port)\(request.uri.description)")
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) && field.name != .contentLength {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        if request.method != .get && request.method != .head || body.readableBytes > 0 {
            outgoing.body = .bytes(body)
        }
        do {
            return try await client.execute(outgoing, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ForwardFailure(message: "no answer within \(timeout.nanoseconds / 1_000_000_000) s", timedOut: true)
        } catch {
            throw ForwardFailure(message: "\(error)", timedOut: false)
        }
    }

    /// Headers of one connection, never forwarded (RFC 9110 §7.6.1), and the length the
    /// server computes again from the same bytes.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                                        "proxy-authenticate", "proxy-authorization", "host", "content-length"]

    static func error(_ message: String, status: HTTPResponse.Status, revision: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let revision { headers[revisionField] = String(revision) }
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"gateway error"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - Admin

    /// The admin listener (127.0.0.1 only): `GET /admin/v1/stats`, `GET|PUT /admin/v1/routes`,
    /// each with the bearer token.
    public func adminApplication(port: Int) -> some ApplicationProtocol {
        Application(responder: CallbackResponder<BasicRequestContext> { request, _ in try await self.admin(request) },
                    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sextant-gateway-admin"), logger: logger)
    }

    func admin(_ request: Request) async throws -> Response {
        guard Self.constantTimeEqual(request.headers[.authorization] ?? "", "Bearer \(token)") else {
            return Self.error("the admin endpoint needs the gateway token (Authorization: Bearer …)", status: .unauthorized)
        }
        switch (request.method, request.uri.path) {
        case (.get, "/admin/v1/stats"):
            let statistics = GatewayStatistics(instance: instance, generation: generation, revisions: counters.snapshot())
            return Self.json(statistics)
        case (.get, "/admin/v1/routes"):
            return Self.json(routes.withLock { $0.table })
        case (.put, "/admin/v1/routes"):
            let body = try await request.body.collect(upTo: 16 << 20)
            guard let table = try? JSONDecoder().decode(RoutingTable.self, from: Data(body.readableBytesView)) else {
                return Self.error("the body is not a routing table", status: .badRequest)
            }
            return install(table)
        default:
            return Self.error("no such admin endpoint \(request.method) \(request.uri.path)", status: .notFound)
        }
    }

    /// Installs a newer table; the same generation again is a no-op, an older one a conflict.
    func install(_ table: RoutingTable) -> Response {
        guard table.protocolVersion <= RoutingTable.protocolVersion else {
            return Self.error("routing table protocol \(table.protocolVersion) is newer than this gateway's \(RoutingTable.protocolVersion); upgrade the gateway",
                              status: .badRequest)
        }
        let current = routes.withLock { table -> Int in table.table.generation }
        if table.generation < current {
            return Self.error("generation \(table.generation) is older than the one in force (\(current))", status: .conflict)
        }
        if table.generation > current {
            routes.withLock { $0.replace(with: table) }
            logger.info("routing table installed", metadata: [
                "generation": "\(table.generation)",
                "routes": "\(table.models.keys.sorted().map { name in "\(name): " + table.models[name]!.backends.map { "r\($0.revision) \($0.weight)%" }.joined(separator: " ") }.joined(separator: "; "))",
            ])
        }
        return Self.json(["generation": table.generation])
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
