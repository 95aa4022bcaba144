import ArgumentParser
import Foundation
import SextantCore
import SextantRuntime
import SextantStore
import SextantWire

/// Where `status` and `get` read: the state directory the reconciler writes, or a running
/// daemon's API.
struct StatusSource: ParsableArguments {
    @Option(help: ArgumentHelp("The state directory the reconciler writes (default .sextant).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("A running daemon's API, e.g. http://127.0.0.1:7070, instead of --state-dir.", valueName: "url"))
    var server: String?

    func validate() throws {
        try Self.validate(stateDir: stateDir, server: server)
    }

    /// `--state-dir` or `--server`, not both; a server is an http(s) URL.
    static func validate(stateDir: String?, server: String?) throws {
        if server != nil, stateDir != nil { throw ValidationError("give --server or --state-dir, not both") }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server \(server) must be an http:// or https:// URL, e.g. http://127.0.0.1:7070")
        }
    }

    private var directory: String { stateDir ?? ".sextant" }

    func status() async throws -> StatusDocument {
        if let server { return try await DaemonRead.get(StatusDocument.self, server: server, path: "/api/v1/status", what: "Sextant status") }
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
            return Self.checkingGateway(saved, in: store)
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    /// The events of the model `name` with an id above `since`, oldest first.
    func modelEvents(since: Int64, name: String) async throws -> [Event] {
        try await EventLog(stateDir: stateDir, server: server).events(since: since, EventFilter(name: name, kind: .model))
    }

    /// Saved status is as of the last pass. With no daemon watching (after `reconcile
    /// --once`, or `down`), a gateway that has exited since must not be shown serving.
    private static func checkingGateway(_ saved: StatusDocument, in store: SQLiteStore) -> StatusDocument {
        guard let gateway = saved.gateway, gateway.serving, let process = try? store.gateway(), !EmbeddedRuntime.runs(process) else {
            return saved
        }
        let down = GatewayStatus(address: gateway.address, serving: false,
                                 error: "its process (\(LocalProcess(process.handle).map { "pid \($0.pid)" } ?? process.handle.id)) has exited since the last pass; a running daemon or `sextant reconcile --once` starts it again")
        var document = saved
        document.gateway = down
        StatusModel.applyGatewayOutage(down, to: &document.objects, since: Date())
        return document
    }

    private static func read(_ store: SQLiteStore) throws(StoreError) -> StatusDocument? {
        do {
            return try store.status()
        } catch {
            throw StoreError("cannot read \(store.path): \(error)")
        }
    }
}
