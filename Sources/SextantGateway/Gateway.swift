import Foundation
package import HTTPTypes
package import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1
public import SextantWire
public import SextantHTTP
import Synchronization

/// Sextant's gateway (DESIGN §5 "Gateway"): routes Open Inference Protocol v2 requests of
/// every model to its revisions by the routing table, streams request and answer bytes
/// through untouched, names the revision that served in `X-Sextant-Revision`, retries a
/// request that failed before any answer byte, or got a server error (500, 502, 503, 504) from a
/// proxy in front of the servers, once on another revision or replica, copies a share of
/// a model's requests to its mirror revisions and compares their answers, and counts every
/// request per revision. Routes arrive on a loopback admin endpoint with a token.
public final class Gateway: Sendable {
    /// A new id per process: the daemon restarts a step's sample window when it changes.
    package let instance: String
    private let routes: Mutex<RouteTable>
    let counters = TrafficCounters()
    /// Requests refused by `limits`, by reason.
    let refusals = RefusalCounters()
    /// What clients may send, and how slowly.
    let limits: HTTPLimits
    private let token: String
    let timeout: TimeAmount
    let timeoutDescription: String
    let logger: Logger
    /// Mirrored copies in flight per model, and how many may be.
    private let mirrorsInFlight = Mutex<[String: Int]>([:])
    let mirrorLimit: Int
    /// The prediction log and feedback store; nil when the gateway keeps none (tests).
    let predictionLog: PredictionLog?

    package static let revisionField = HTTPField.Name("X-Sextant-Revision")!

    /// - Parameters:
    ///   - routes: the table loaded from the store at start (generation 0: none yet).
    ///   - token: what admin calls must carry as `Authorization: Bearer …`.
    ///   - timeout: how long a server may take to answer once it has the whole request
    ///     (then an error: 504, and a latency sample at the time waited).
    ///   - mirrorLimit: mirrored copies in flight per model; beyond, copies are dropped (counted).
    ///   - limits: request size and header, body and idle timeouts of the inference listener.
    ///   - log: where inference exchanges and feedback are stored (its writer thread starts
    ///     now; `stopLog()` writes what is queued); nil: neither is kept.
    public init(routes: RoutingTable, token: String, timeout: Duration = .seconds(30), mirrorLimit: Int = 64, limits: HTTPLimits = HTTPLimits(),
                log: PredictionLog.Configuration? = nil, logger: Logger) {
        instance = UUID().uuidString.lowercased()
        self.routes = Mutex(RouteTable(routes))
        self.token = token
        self.timeout = TimeAmount(timeout)
        timeoutDescription = HTTPLimits.describe(timeout)
        self.mirrorLimit = mirrorLimit
        self.limits = limits
        self.logger = logger
        predictionLog = log.map { PredictionLog($0, logger: logger) }
        predictionLog?.update(routes)
        predictionLog?.start()
        warnOfUnusableEndpoints()
    }

    /// Writes the queued records of the prediction log and feedback, and stops its writer.
    public func stopLog() {
        predictionLog?.stop()
    }

    package var generation: Int { routes.withLock { $0.table.generation } }

    // MARK: - Inference

    /// The public listener: OIP v2 for every model, health, and `/metrics`, as a service
    /// that stops accepting on graceful shutdown and lets requests in flight finish.
    package func inferenceServer(host: String, port: Int, drainTime: Duration = .seconds(5),
                                onServing: @escaping @Sendable (Int) -> Void = { _ in }) -> InferenceServer {
        InferenceServer(gateway: self, host: host, port: port, drainTime: drainTime, onServing: onServing)
    }

    /// Where a request goes and, for inference, which mirrors get a copy.
    func route(model: String, head: RequestHead, counted: Bool) -> RouteTable.Routing {
        routes.withLock { $0.route(model: model, header: head.field, unit: head.unit(for:), counted: counted) }
    }

    /// The type of a model's target (nil inside: any scalar); nil for a model not routed here.
    func feedbackTarget(model: String) -> TargetType?? {
        routes.withLock { $0.feedbackTarget(model: model) }
    }

    /// Another revision (or replica) after `failed` did not answer.
    func retryTarget(model: String, excluding failed: RouteTable.Target) -> RouteTable.Target? {
        routes.withLock { $0.choose(model: model, header: { _ in nil }, excluding: failed) }
    }

    /// Takes a place for a mirrored copy; false when the model's mirrors are at the limit.
    func reserveMirror(model: String) -> Bool {
        mirrorsInFlight.withLock { counts in
            guard counts[model, default: 0] < mirrorLimit else { return false }
            counts[model, default: 0] += 1
            return true
        }
    }

    func releaseMirror(model: String) {
        mirrorsInFlight.withLock { counts in counts[model, default: 1] -= 1 }
    }

    func prometheus() -> String {
        counters.prometheus(generation: generation) + refusals.prometheus() + (predictionLog?.prometheus() ?? "")
    }

    /// The counters the admin endpoint reports.
    package func statistics() -> GatewayStatistics {
        GatewayStatistics(instance: instance, generation: generation, revisions: counters.snapshot())
    }

    static func error(_ message: String, status: HTTPResponse.Status, revision: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let revision { headers[revisionField] = String(revision) }
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"gateway error"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - Admin

    /// The admin listener (127.0.0.1 only): `GET /admin/v1/stats`, `GET|PUT /admin/v1/routes`,
    /// each with the bearer token.
    package func adminApplication(port: Int) -> some ApplicationProtocol {
        Application(responder: CallbackResponder<BasicRequestContext> { request, _ in try await self.admin(request) },
                    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sextant-gateway-admin"), logger: logger)
    }

    func admin(_ request: Request) async throws -> Response {
        guard BearerToken.matches(authorization: request.headers[.authorization], token: token) else {
            return Self.error("the admin endpoint needs the gateway token (Authorization: Bearer …)", status: .unauthorized)
        }
        switch (request.method, request.uri.path) {
        case (.get, "/admin/v1/stats"):
            return Self.json(statistics())
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

    /// Installs a newer table; the same one again is a no-op, an older one a conflict. Newer
    /// is a later lease term, then a higher generation: a replica that lost its lease is
    /// refused, whatever generation it sends.
    func install(_ table: RoutingTable) -> Response {
        guard table.protocolVersion <= RoutingTable.protocolVersion else {
            return Self.error("routing table protocol \(table.protocolVersion) is newer than this gateway's \(RoutingTable.protocolVersion); upgrade the gateway",
                              status: .badRequest)
        }
        // Judged and installed under one lock: of two pushes at once, the older cannot land last.
        let admission = routes.withLock { routes -> Admission in
            let admission = Self.admission(of: table.order, over: routes.table.order)
            if admission == .newer {
                routes.replace(with: table)
                predictionLog?.update(table)
            }
            return admission
        }
        switch admission {
        case .refused(let reason):
            return Self.error(reason, status: .conflict)
        case .inForce:
            break
        case .newer:
            logger.info("routing table installed", metadata: [
                "generation": "\(table.generation)", "epoch": "\(table.epoch ?? 0)",
                "routes": "\(table.models.keys.sorted().map { name in "\(name): " + table.models[name]!.backends.map { "r\($0.revision) \($0.weight)%" + ($0.mirrorPercent.map { " mirror \($0)%" } ?? "") }.joined(separator: " ") }.joined(separator: "; "))",
            ])
            warnOfUnusableEndpoints()
        }
        return Self.json(["generation": table.generation])
    }

    /// The order of the table in force: its lease term, then its generation.
    package var tableOrder: RoutingTable.Order { routes.withLock { $0.table.order } }

    /// What a pushed table is to the one in force.
    enum Admission: Equatable {
        case newer
        /// The same table again: nothing to do.
        case inForce
        case refused(String)
    }

    /// A table without an epoch (a daemon alone, or a Sextant from before epochs) is ordered
    /// by its generation only, as before epochs: there is no term to fence it with.
    static func admission(of offered: RoutingTable.Order, over current: RoutingTable.Order) -> Admission {
        if offered.epoch > 0, offered.epoch < current.epoch {
            return .refused("routing table \(offered) comes from an earlier lease term than the one in force (\(current)): its sender no longer "
                            + "leads; if every replica leads in turn like this, upgrade them all to the same Sextant")
        }
        let older = offered.epoch == 0 ? offered.generation < current.generation : offered < current
        if older {
            return .refused("generation \(offered.generation) is older than the one in force (\(current.generation))")
        }
        let same = offered.epoch == 0 ? offered.generation == current.generation : offered == current
        return same ? .inForce : .newer
    }

    /// Says which endpoint URLs of the table in force the gateway cannot use and why: their
    /// backends are routed without them (a backend left with none takes no traffic).
    private func warnOfUnusableEndpoints() {
        for (model, unusable) in routes.withLock({ $0.unusableEndpoints }) {
            logger.warning("endpoint left out of the route", metadata: [
                "model": "\(model)", "revision": "\(unusable.revision)", "endpoint": "\(unusable.url)", "error": "\(unusable.reason)",
            ])
        }
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
