import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantCore
import SextantStore

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The event log: what happened to which object, when, at which commit, done by whom.",
        discussion: """
            Reads the store in --state-dir (no lock needed: it works while a daemon runs),
            or asks a running daemon with --server. NAME keeps the events of objects of
            that name, --kind those of one kind. --follow keeps printing new events as
            they happen, until interrupted. Times are when each thing happened (UTC).

            Examples:
              sextant events
              sextant events fraud-detector --kind Model
              sextant events --kind Repository -o json
              sextant events --since 120 --state-dir /var/lib/sextant
              sextant events fraud-detector --follow --server http://127.0.0.1:7070
            """
    )

    @Argument(help: ArgumentHelp("Only events of objects of this name.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("Only events of this kind: \(EventKind.allowed).", valueName: "kind"))
    var kind: String?

    @Option(help: ArgumentHelp("Only events with an id above this one.", valueName: "id"))
    var since: Int64 = 0

    @Flag(help: "Keep printing new events as they happen, until interrupted.")
    var follow = false

    @Option(name: .shortAndLong, help: "table or json (with --follow: one JSON object a line).")
    var output: EventsOutput = .table

    @Option(help: ArgumentHelp("The state directory the reconciler writes (default .sextant).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("A running daemon's API, e.g. http://127.0.0.1:7070, instead of --state-dir.", valueName: "url"))
    var server: String?

    /// How often --follow looks for new events.
    static let followInterval: Duration = .seconds(1)

    func validate() throws {
        if server != nil, stateDir != nil { throw ValidationError("give --server or --state-dir, not both") }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server \(server) must be an http:// or https:// URL, e.g. http://127.0.0.1:7070")
        }
        if let kind, EventKind(parsing: kind) == nil {
            throw ValidationError("--kind \(kind) is not a kind of event; use one of \(EventKind.allowed)")
        }
        if since < 0 { throw ValidationError("--since \(since) must be an event id (a whole number ≥ 0)") }
    }

    func run() async throws {
        let log = try EventLog(stateDir: stateDir, server: server)
        let filter = EventFilter(name: name, kind: kind.flatMap(EventKind.init(parsing:)))
        var events = try await log.events(since: since, filter)
        guard follow else {
            print(output == .json ? EventsRenderer.json(events) : EventsRenderer.table(events, filter: filter), terminator: "")
            return
        }
        var table = EventsRenderer.FollowedTable(first: events)
        var last = since
        var first = true
        while true {
            // A table's header shows at once: the command is waiting, not stuck.
            if !events.isEmpty || (first && output == .table) {
                first = false
                print(output == .json ? EventsRenderer.jsonLines(events) : table.lines(events), terminator: "")
                fflush(nil)
                last = events.last?.id ?? last
            }
            try await Task.sleep(for: Self.followInterval)
            events = try await log.events(since: last, filter)
        }
    }
}

enum EventsOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Which events to show.
struct EventFilter {
    var name: String?
    var kind: EventKind?

    /// `fraud-detector`, `Model fraud-detector`, `Model`: what the filter keeps, for messages.
    var summary: String? {
        let words = [kind?.rawValue, name].compactMap { $0 }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}

/// Where the events are read: the state store, or a daemon's `GET /api/v1/events`.
enum EventLog {
    case store(SQLiteStore)
    case server(String)

    /// Events read per query: a long log is read in pages.
    static let page = 1000

    init(stateDir: String?, server: String?) throws {
        if let server {
            self = .server(server.hasSuffix("/") ? String(server.dropLast()) : server)
            return
        }
        do {
            self = .store(try SQLiteStore(readingFrom: stateDir ?? ".sextant"))
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    /// Every event with an id above `since` that the filter keeps, oldest first.
    func events(since: Int64, _ filter: EventFilter) async throws -> [Event] {
        var events: [Event] = []
        var after = since
        while true {
            let page = try await read(after: after, filter)
            events += page
            guard page.count == Self.page, let last = page.last?.id else { return events }
            after = last
        }
    }

    private func read(after: Int64, _ filter: EventFilter) async throws -> [Event] {
        switch self {
        case .store(let store):
            do {
                return try store.events(since: after, limit: Self.page, name: filter.name, kind: filter.kind)
            } catch {
                throw CommandFailure(message: "cannot read the events in \(store.path): \(error)")
            }
        case .server(let server):
            var components = URLComponents()
            components.path = "/api/v1/events"
            components.queryItems = [URLQueryItem(name: "since", value: String(after)), URLQueryItem(name: "limit", value: String(Self.page))]
                + [filter.name.map { URLQueryItem(name: "name", value: $0) }, filter.kind.map { URLQueryItem(name: "kind", value: $0.rawValue) }]
                .compactMap { $0 }
            return try await DaemonRead.get([Event].self, server: server, path: components.string ?? "/api/v1/events", what: "Sextant's event log")
        }
    }
}
