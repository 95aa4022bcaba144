import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantCore
import SextantStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every object's sync, health and phase, and the followed commit.",
        discussion: """
            Reads the state the reconciler saved in --state-dir (no lock needed: it
            works while a daemon runs), or asks a running daemon with --server. NAME
            shows only objects of that name; KIND/NAME one object. --watch redraws every
            2 seconds until interrupted.

            Exit status: 0; 1 if any object is Degraded; 2 when nothing has that name,
            or the state or the server cannot be read.

            Examples:
              sextant status
              sextant status transactions
              sextant status Dataset/transactions -o json
              sextant status -o yaml --state-dir /var/lib/sextant
              sextant status --server http://127.0.0.1:7070 --watch
            """
    )

    @Argument(help: ArgumentHelp("Only objects of this name, or KIND/NAME.", valueName: "name"))
    var name: String?

    @Option(name: .shortAndLong, help: "table, json or yaml.")
    var output: StatusOutput = .table

    @Option(help: ArgumentHelp("The state directory the reconciler writes (default .sextant).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("A running daemon's API, e.g. http://127.0.0.1:7070, instead of --state-dir.", valueName: "url"))
    var server: String?

    @Flag(help: "Redraw every 2 seconds until interrupted.")
    var watch = false

    func validate() throws {
        if server != nil, stateDir != nil { throw ValidationError("give --server or --state-dir, not both") }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server \(server) must be an http:// or https:// URL, e.g. http://127.0.0.1:7070")
        }
    }

    func run() async throws {
        while true {
            let document = try await read()
            let shown = name.map(document.filtered) ?? document
            if let name, shown.objects.isEmpty, !watch {
                throw CommandFailure(message: "no object named \(name); `sextant status` lists them all")
            }
            let rendered = StatusRenderer.render(shown, as: output, now: Date())
            guard watch else {
                print(rendered, terminator: "")
                if shown.isDegraded { throw ExitCode(1) }
                return
            }
            // On a terminal, redraw in place; in a pipe, one snapshot after another.
            let clear = isatty(STDOUT_FILENO) == 1 ? "\u{1B}[H\u{1B}[2J" : "---\n"
            print(clear + rendered, terminator: "")
            fflush(nil)
            try await Task.sleep(for: .seconds(2))
        }
    }

    private func read() async throws -> StatusDocument {
        if let server { return try await Self.fetch(server) }
        let directory = stateDir ?? ".sextant"
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

    private static func read(_ store: SQLiteStore) throws(StoreError) -> StatusDocument? {
        do {
            return try store.status()
        } catch {
            throw StoreError("cannot read \(store.path): \(error)")
        }
    }

    /// GET /api/v1/status of a daemon.
    static func fetch(_ server: String) async throws -> StatusDocument {
        let url = (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/api/v1/status"
        let body: ByteBuffer
        let response: HTTPClientResponse
        do {
            response = try await CommandHTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw CommandFailure(message: ConnectionFailure.message(error, url: server, peer: .daemon))
        }
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"] ?? "HTTP \(response.status.code)"
            throw CommandFailure(message: "\(url): \(message)")
        }
        do {
            return try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: data)
        } catch {
            throw CommandFailure(message: "\(url) answered something that is not Sextant status: \(error)")
        }
    }
}
