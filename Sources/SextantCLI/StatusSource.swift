import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantCore
import SextantStore

/// Where `status` and `get` read: the state directory the reconciler writes, or a running
/// daemon's API.
struct StatusSource: ParsableArguments {
    @Option(help: ArgumentHelp("The state directory the reconciler writes (default .sextant).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("A running daemon's API, e.g. http://127.0.0.1:7070, instead of --state-dir.", valueName: "url"))
    var server: String?

    func validate() throws {
        if server != nil, stateDir != nil { throw ValidationError("give --server or --state-dir, not both") }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server \(server) must be an http:// or https:// URL, e.g. http://127.0.0.1:7070")
        }
    }

    private var directory: String { stateDir ?? ".sextant" }

    func status() async throws -> StatusDocument {
        if let server { return try await Self.get(StatusDocument.self, server, "/api/v1/status", what: "Sextant status") }
        do throws(StoreError) {
            let store = try SQLiteStore(readingFrom: directory)
            guard let saved = try Self.read(store) else {
                throw StoreError("no status in \(directory) yet: the reconciler has not finished a pass")
            }
            if let problem = SQLiteStore.writeProblem(in: directory) {
                // A daemon that cannot write cannot record why: say what the file system shows.
                let asOf = saved.revision.reconciledAt.map { " (saved \(iso8601($0)))" } ?? ""
                printError("warning: \(problem): a daemon cannot save status there, so this may be out of date\(asOf); "
                    + "`sextant status --server URL` asks the daemon what it knows now")
            }
            return saved
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    /// Up to `limit` events with an id above `since`, oldest first. `name` asks a daemon to
    /// filter (one that does not, answers them all; callers filter again).
    func events(since: Int64, limit: Int, name: String) async throws -> [Event] {
        if let server {
            let query = "/api/v1/events?since=\(since)&limit=\(limit)&name=\(name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? name)"
            return try await Self.get([Event].self, server, query, what: "Sextant events")
        }
        do {
            return try SQLiteStore(readingFrom: directory).events(since: since, limit: limit)
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        } catch {
            throw CommandFailure(message: "cannot read the events in \(directory): \(error)")
        }
    }

    private static func read(_ store: SQLiteStore) throws(StoreError) -> StatusDocument? {
        do {
            return try store.status()
        } catch {
            throw StoreError("cannot read \(store.path): \(error)")
        }
    }

    /// GET of a daemon's JSON.
    private static func get<Document: Decodable>(_ type: Document.Type, _ server: String, _ path: String, what: String) async throws -> Document {
        let url = (server.hasSuffix("/") ? String(server.dropLast()) : server) + path
        let body: ByteBuffer
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw CommandFailure(message: "cannot reach \(url): \(error); is `sextant run` listening there?")
        }
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"] ?? "HTTP \(response.status.code)"
            throw CommandFailure(message: "\(url): \(message)")
        }
        do {
            return try StatusDocument.jsonDecoder().decode(Document.self, from: data)
        } catch {
            throw CommandFailure(message: "\(url) answered something that is not \(what): \(error)")
        }
    }
}
