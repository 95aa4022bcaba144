import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SextantCore
import SextantStore
import ServiceLifecycle

extension DaemonAPI {
    /// `GET /api/v1/events?since=&limit=&name=&kind=` and its Server-Sent Events stream
    /// `GET /api/v1/events/stream?since=&name=&kind=` (DESIGN §5).
    func addEventRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/v1/events") { request, _ in
            let query: EventQuery
            switch EventQuery.parse(request) {
            case .success(let parsed): query = parsed
            case .failure(let problem): return Self.error(problem.message, status: .badRequest)
            }
            return Self.json(try await store.events(since: query.since, limit: query.limit, name: query.name, kind: query.kind))
        }
        router.get("api/v1/events/stream") { request, _ in
            var query: EventQuery
            switch EventQuery.parse(request) {
            case .success(let parsed): query = parsed
            case .failure(let problem): return Self.error(problem.message, status: .badRequest)
            }
            // A reconnecting EventSource says where it stopped.
            if let last = request.headers[Self.lastEventIDHeader].flatMap({ Int64($0) }) { query.since = max(query.since, last) }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: ResponseBody { [store, query] writer in try await Self.stream(store, query, to: &writer) })
        }
    }

    static let lastEventIDHeader = HTTPField.Name("Last-Event-ID")!

    /// How often the stream looks for new events, and how long it may stay silent.
    static let streamPoll: Duration = .milliseconds(500)
    static let keepAlive: Duration = .seconds(15)

    /// Writes each new event as `id: N`, `event: REASON`, `data: {…}` until the client goes
    /// or the daemon shuts down; a comment line keeps a quiet connection open.
    private static func stream(_ store: any StateReader, _ query: EventQuery, to writer: inout any ResponseBodyWriter) async throws {
        let encoder = StatusDocument.jsonEncoder(pretty: false)
        var since = query.since
        var lastWrite = ContinuousClock.now
        try await writer.write(ByteBuffer(string: ": sextant events\n\n"))
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let events = try await store.events(since: since, limit: 1000, name: query.name, kind: query.kind)
            var text = ""
            for event in events {
                guard let id = event.id else { continue }
                text += "id: \(id)\nevent: \(event.reason)\ndata: \(String(decoding: try encoder.encode(event), as: UTF8.self))\n\n"
                since = id
            }
            if text.isEmpty, ContinuousClock.now - lastWrite >= keepAlive { text = ": keep-alive\n\n" }
            if !text.isEmpty {
                try await writer.write(ByteBuffer(string: text))
                lastWrite = ContinuousClock.now
            }
            try await Task.sleep(for: streamPoll)
        }
        try await writer.finish(nil)
    }
}

/// The parameters of the events endpoints, checked.
struct EventQuery {
    var since: Int64
    var limit: Int
    var name: String?
    var kind: EventKind?

    struct Problem: Error {
        var message: String
    }

    static func parse(_ request: Request) -> Result<EventQuery, Problem> {
        let parameters = request.uri.queryParameters
        let sinceText = parameters["since"].map(String.init) ?? "0"
        guard let since = Int64(sinceText), since >= 0 else {
            return .failure(Problem(message: "since must be an event id (a whole number ≥ 0), not \"\(sinceText)\""))
        }
        let limitText = parameters["limit"].map(String.init) ?? "1000"
        guard let limit = Int(limitText), (1...10_000).contains(limit) else {
            return .failure(Problem(message: "limit must be 1–10000, not \"\(limitText)\""))
        }
        var kind: EventKind?
        if let kindText = parameters["kind"].map(String.init) {
            guard let parsed = EventKind(parsing: kindText) else {
                return .failure(Problem(message: "kind must be one of \(EventKind.allowed), not \"\(kindText)\""))
            }
            kind = parsed
        }
        return .success(EventQuery(since: since, limit: limit, name: parameters["name"].map(String.init), kind: kind))
    }
}
