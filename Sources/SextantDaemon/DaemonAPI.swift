import Foundation
import HTTPTypes
import SextantAPI
import SextantHTTP
package import Hummingbird
package import Logging
package import SextantCore
import SextantStore
import Synchronization

/// The daemon's HTTP API (DESIGN §5): health, readiness, metrics, status, events, drift, experiments, model cards and
/// the push webhook. While the store cannot be written, `/readyz` answers 503 saying why and
/// status is the last saved one, marked with the failure.
package struct DaemonAPI: Sendable {
    package struct Configuration: Sendable {
        package var host: String
        package var port: Int
        /// Set: push webhooks must carry a valid `X-Hub-Signature-256`.
        package var webhookSignature: WebhookSignature?
        /// Set: mutating calls may authenticate with `Authorization: Bearer <token>`.
        package var apiToken: String?

        package init(host: String, port: Int, webhookSignature: WebhookSignature? = nil, apiToken: String? = nil) {
            self.host = host
            self.port = port
            self.webhookSignature = webhookSignature
            self.apiToken = apiToken
        }

        /// Only this machine can connect: unauthenticated mutating calls are allowed.
        package var isLoopback: Bool {
            host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
        }
    }

    private let configuration: Configuration
    let store: any StateReader & OperatorQueue
    /// The state directory: model cards are read from its artifacts.
    let stateDirectory: String
    /// Leader, follower or standalone: a follower refuses what only the leader takes.
    let leadership: Leadership
    private let trigger: PassTrigger
    private let metrics: DaemonMetrics
    private let readiness: Readiness
    private let storeHealth: StoreHealth
    private let statusBody = StatusBody()

    /// True when only this machine can connect.
    package var isLoopbackOnly: Bool { configuration.isLoopback }

    /// - Parameters:
    ///   - store: what the API reads, and where decisions are queued.
    ///   - storeHealth: the reconciler's (`Reconciler.storeHealth`).
    package init(configuration: Configuration, store: any StateReader & OperatorQueue, stateDirectory: String, leadership: Leadership = Leadership(),
                 trigger: PassTrigger, metrics: DaemonMetrics, readiness: Readiness, storeHealth: StoreHealth = StoreHealth()) {
        self.configuration = configuration
        self.store = store
        self.stateDirectory = stateDirectory
        self.leadership = leadership
        self.trigger = trigger
        self.metrics = metrics
        self.readiness = readiness
        self.storeHealth = storeHealth
    }

    /// The server, as a `Service` for the daemon's `ServiceGroup`.
    package func application(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sextant"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, _ in
            // A follower is ready as soon as it reads the store: it serves reads.
            if leadership.role == .follower {
                return Self.text("ready: follower" + (leadership.leader.map { " of \($0.holder) (epoch \($0.epoch))" } ?? "; nobody leads yet") + "\n")
            }
            if let failure = storeHealth.failure { return Self.text(failure.summary + "\n", status: .serviceUnavailable) }
            return readiness.isReady ? Self.text("ready\n") : Self.text("starting: the first reconcile pass has not finished\n", status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Self.text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("api/v1/status") { request, _ in
            let failure = storeHealth.failure
            guard var saved = try await store.savedStatus() else {
                let why = failure.map { "no status saved yet: \($0.summary)" } ?? "no status yet: the first reconcile pass has not finished"
                return Self.error(why, status: .serviceUnavailable)
            }
            // Several replicas: status names the leader, as the lease says now.
            if leadership.role != .standalone { saved.document.leader = leadership.leader }
            var document = saved.document
            // The saved document is as old as the last write that worked: say so.
            if let failure { document = document.showing(failure) }
            if let name = request.uri.queryParameters["name"] { document = document.filtered(String(name)) }
            guard failure == nil, request.uri.queryParameters["name"] == nil, leadership.role == .standalone else { return Self.json(document) }
            let body = await statusBody.bytes(of: saved)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        addEventRoutes(to: router)
        addDriftRoutes(to: router)
        addExperimentRoutes(to: router)
        addCardRoutes(to: router)
        addHistoryRoutes(to: router)
        addDashboardRoutes(to: router)
        router.post("api/v1/hooks/git") { request, context in
            let body = try await request.body.collect(upTo: 5 << 20)
            let bytes = Array(body.readableBytesView)
            if let signature = configuration.webhookSignature {
                guard signature.verify(request.headers[Self.signatureHeader], body: bytes) else {
                    metrics.webhook(.unauthorized)
                    context.logger.warning("webhook refused", metadata: ["reason": "missing or wrong X-Hub-Signature-256"])
                    return Self.error("missing or wrong X-Hub-Signature-256: sign the body with HMAC-SHA256 and the shared secret", status: .unauthorized)
                }
            } else if !configuration.isLoopback, !isAuthorized(request) {
                metrics.webhook(.unauthorized)
                return Self.error("this daemon listens beyond loopback: configure --webhook-secret-file, or send Authorization: Bearer <token>",
                                  status: .unauthorized)
            }
            guard leadership.isActing else { return Self.error(leadership.followerRefusal, status: .serviceUnavailable) }
            metrics.webhook(.accepted)
            trigger.request()
            return Self.json(["status": "fetch scheduled"], status: .accepted)
        }
        router.post("api/v1/models/:name/:decision") { request, context in
            let name = context.parameters.get("name") ?? ""
            let asked = context.parameters.get("decision") ?? ""
            guard let decision = OperatorDecision(rawValue: asked) else {
                return Self.error("no such decision \(asked); POST /api/v1/models/{name}/promote, abort, retry or rollback", status: .notFound)
            }
            // `rollback?to=N` (or `vN`): the version to bring back.
            var version: Int?
            if decision == .rollback, let to = request.uri.queryParameters["to"].map(String.init) {
                guard let number = Int(to.hasPrefix("v") ? String(to.dropFirst()) : to), number > 0 else {
                    return Self.error("to=\(to) is not a version: write to=2 or to=v2", status: .badRequest)
                }
                version = number
            }
            // Mutating: a bearer token, unless only this machine can connect.
            if !isAuthorized(request), !configuration.isLoopback || request.headers[.authorization] != nil {
                return Self.error("\(decision) needs Authorization: Bearer <token> (the daemon's --api-token-file)", status: .unauthorized)
            }
            guard leadership.isActing else { return Self.error(leadership.followerRefusal, status: .serviceUnavailable) }
            let models = try await store.savedStatus()?.document.objects.filter { $0.kind == .model }.map(\.name) ?? []
            guard models.contains(name) else {
                return Self.error("no model \(name)" + UnknownName.hint(name, known: models, listing: "GET /api/v1/status"), status: .notFound)
            }
            let actor = request.headers[Self.actorHeader].map { "api:\($0)" } ?? "api"
            do {
                try await store.queue(OperatorRequest(decision: decision, model: name, actor: actor, time: Date(), version: version))
            } catch {
                return Self.error("\(decision) of \(name) not queued: \((error as? StoreError)?.message ?? "\(error)")", status: .serviceUnavailable)
            }
            trigger.request()
            context.logger.notice("operator decision queued", metadata: ["model": "\(name)", "decision": "\(decision)", "actor": "\(actor)"])
            return Self.json(["status": "\(decision) of \(name) queued: the next pass takes it"], status: .accepted)
        }
        return router
    }

    /// Who asks, as the caller names itself (recorded as the event's actor `api:NAME`).
    static let actorHeader = HTTPField.Name("X-Sextant-Actor")!

    private func isAuthorized(_ request: Request) -> Bool {
        guard let token = configuration.apiToken else { return false }
        return BearerToken.matches(authorization: request.headers[.authorization], token: token)
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = try! StatusDocument.jsonEncoder(pretty: false).encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        json(["error": message], status: status)
    }
}

/// Whether the daemon has finished its first pass (`/readyz`).
package final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    package init() {}

    package var isReady: Bool { ready.load(ordering: .acquiring) }

    package func markReady() { ready.store(true, ordering: .releasing) }
}
