import Foundation
import Synchronization
public import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of the tests' own: Debian's binaries (`/usr/lib/postgresql/15/bin`,
/// else the newest installed; `SEXTANT_POSTGRES_BIN` overrides), a fresh cluster in a
/// private temporary directory, listening on 127.0.0.1 only at a free port, without fsync
/// (nothing here must survive a crash). As root it runs as the `postgres` user (`initdb`
/// refuses root). `postgres` is a child of this process, never daemonised, so no server
/// outlives the tests.
///
/// A suite uses it with the `.postgresServer` trait and reads `PostgresServer.current`:
/// suites running at the same time share one server, stopped when the last of them ends.
/// Each test makes a database of its own with `makeDatabase(roles:)`.
public final class PostgresServer: Sendable {
    /// The directory of `initdb`, `postgres`, `psql`, `pg_isready`, when installed.
    public static let binaries: String? = {
        let manager = FileManager.default
        if let bin = ProcessInfo.processInfo.environment["SEXTANT_POSTGRES_BIN"], !bin.isEmpty {
            return manager.isExecutableFile(atPath: bin + "/postgres") ? bin : nil
        }
        if manager.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/postgres") { return "/usr/lib/postgresql/15/bin" }
        let versions = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().map { "/usr/lib/postgresql/\($0)/bin" }.first { manager.isExecutableFile(atPath: $0 + "/postgres") }
    }()

    /// Whether a PostgreSQL server can be started: for `.enabled(if:)`.
    public static var isInstalled: Bool { binaries != nil }

    /// The skip reason of a test that needs PostgreSQL.
    public static let notInstalled: Comment = "needs PostgreSQL's server binaries (Debian's postgresql-15; .ci/run installs it) or SEXTANT_POSTGRES_BIN"

    /// The server of the suite running this test (set by the `.postgresServer` trait).
    @TaskLocal private static var scoped: PostgresServer?

    /// The server of the suite running this test; only inside a `.postgresServer` suite.
    public static var current: PostgresServer {
        guard let scoped else { fatalError("PostgresServer.current outside a suite with the .postgresServer trait") }
        return scoped
    }

    /// The port on 127.0.0.1.
    public let port: Int
    /// The cluster's directory (data, socket, log).
    public let directory: String
    /// The superuser, trusted on loopback.
    public static let superuser = "sextant_admin"
    private let binaries: String
    private let process: BackgroundProcess
    /// The login roles made so far (or being made), by name.
    private let roles = Mutex<[String: Task<Void, any Error>]>([:])

    private init(port: Int, directory: String, binaries: String, process: BackgroundProcess) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        self.process = process
    }

    private static let directoryPrefix = "sextant-pg-"

    /// Creates a cluster, starts it and waits until it accepts connections (20 s at most).
    static func start() async throws -> PostgresServer {
        guard let binaries else { throw FixtureError(notInstalled.rawValue) }
        removeAbandonedServers()
        let directory = "/tmp/\(directoryPrefix)\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(getpid())".write(toFile: "\(directory)/owner.pid", atomically: true, encoding: .utf8)
        let asPostgres = getuid() == 0
        if asPostgres {
            let owner = try await runProcess("/bin/chown", ["postgres:postgres", directory])
            guard owner.status == 0 else { throw FixtureError("chown postgres \(directory): \(owner.stderr)") }
        }
        /// As the `postgres` user when we are root.
        func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
            asPostgres ? ("/usr/bin/setpriv", ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--", program] + arguments) : (program, arguments)
        }
        let environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]
        let initdb = command(binaries + "/initdb", ["-D", "\(directory)/data", "-U", superuser, "--auth=trust", "--encoding=UTF8",
                                                    "--locale=C.UTF-8", "--no-sync", "--no-instructions"])
        let initialized = try await runProcess(initdb.0, initdb.1, in: "/tmp", environment: environment)
        guard initialized.status == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw FixtureError("initdb failed (status \(initialized.status)): \(initialized.stderr.suffix(2000))")
        }
        let port = try freePort()
        let postgres = command(binaries + "/postgres", [
            "-D", "\(directory)/data", "-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)", "-c", "unix_socket_directories=\(directory)",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
            "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning",
        ])
        let process = try BackgroundProcess(postgres.0, postgres.1, in: "/tmp", logPath: "\(directory)/postgres.log", environment: environment)
        let server = PostgresServer(port: port, directory: directory, binaries: binaries, process: process)
        let ready = try await eventually(timeout: .seconds(20)) {
            guard process.isRunning else { return true }
            return (try? await runProcess(binaries + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", superuser, "-d", "postgres"]))?.status == 0
        }
        guard ready, process.isRunning else {
            let log = process.log
            await server.stop()
            throw FixtureError("postgres did not accept connections on 127.0.0.1:\(port) within 20 s: \(log.suffix(2000))")
        }
        do {
            // The NOLOGIN owner of every test database's tables.
            try await server.psql(database: "postgres", ["-c", "CREATE ROLE sextant NOLOGIN"])
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Stops the server (SIGINT: fast shutdown; SIGKILL after 10 s) and removes its directory.
    func stop() async {
        if process.isRunning, await process.stop(SIGINT, timeout: .seconds(10)) == nil {
            await process.stop(SIGKILL, timeout: .seconds(5))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Clusters left by a test process that died before stopping them: their owner no longer runs.
    private static func removeAbandonedServers() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(directoryPrefix) {
            let directory = "/tmp/\(name)"
            guard let owner = (try? String(contentsOfFile: "\(directory)/owner.pid", encoding: .utf8)).flatMap({ pid_t($0) }),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            // postmaster.pid's first line is the server's pid.
            if let text = try? String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8),
               let pid = text.split(separator: "\n").first.flatMap({ pid_t($0) }), pid > 1 {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Creates a database of its own for a test: owned by the NOLOGIN role `sextant` (the
    /// store's owner), which each login role of `roles` is a member of and becomes at login
    /// (`ALTER ROLE … SET role = 'sextant'`), so any replica writes what another created.
    /// Trust on loopback: no password.
    public func makeDatabase(roles: [String] = ["sextant_a", "sextant_b"]) async throws -> PostgresTestDatabase {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        for role in roles { try await ensureRole(role) }
        try await psql(database: "postgres", ["-c", "CREATE DATABASE \(name) OWNER sextant"])
        return PostgresTestDatabase(server: self, name: name)
    }

    /// Creates a login role once per server, however many tests ask at once (PostgreSQL
    /// refuses concurrent changes of one role: "tuple concurrently updated").
    private func ensureRole(_ role: String) async throws {
        let setup = roles.withLock { roles in
            if let existing = roles[role] { return existing }
            let created = Task<Void, any Error> {
                try await psql(database: "postgres", ["-c", """
                    CREATE ROLE \(role) LOGIN IN ROLE sextant;
                    ALTER ROLE \(role) SET role = 'sextant';
                    """])
            }
            roles[role] = created
            return created
        }
        try await setup.value
    }

    /// Runs `psql` as the superuser; fails with its message when a statement fails.
    @discardableResult
    func psql(database: String, _ arguments: [String]) async throws -> String {
        let output = try await runProcess(binaries + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)",
                                                              "-U", Self.superuser, "-d", database] + arguments,
                                          environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PGCONNECT_TIMEOUT": "10"])
        guard output.status == 0 else { throw FixtureError("psql on \(database): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
        return output.stdout
    }
}

/// A database of a test's own on the tests' PostgreSQL server.
public struct PostgresTestDatabase: Sendable {
    public let server: PostgresServer
    public let name: String

    /// `postgres://ROLE@127.0.0.1:PORT/NAME?sslmode=disable`: what `--store` takes.
    public func url(as role: String) -> String {
        "postgres://\(role)@127.0.0.1:\(server.port)/\(name)?sslmode=disable"
    }

    /// Runs SQL as the superuser in this database (several statements: one transaction).
    public func execute(_ sql: String) async throws {
        try await server.psql(database: name, ["-c", sql])
    }

    /// The rows of a query as text (NULL as nil), run as the superuser: for checks. (psql
    /// prints one row of one empty text the same as no row: that reads as `[]`.)
    public func rows(_ sql: String) async throws -> [[String?]] {
        let null = "\u{1}NULL\u{1}"
        let output = try await server.psql(database: name, ["-A", "-t", "-F", "\u{1F}", "-R", "\u{1E}", "-P", "null=\(null)", "-c", sql])
        var text = Substring(output)
        if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: false).map { record in
            record.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { $0 == null ? nil : String($0) }
        }
    }
}

/// `@Suite(.postgresServer)`: the suite's tests run with `PostgresServer.current` set to a
/// running server. Where PostgreSQL is not installed the suite runs without one (a suite
/// of both backends still tests SQLite): pair tests that need it with
/// `.enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled)`.
public struct PostgresServerTrait: SuiteTrait, TestScoping {
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await PostgresServer.withServer(function)
    }
}

extension PostgresServer {
    /// Runs `body` with `current` set, starting (or sharing) the server.
    static func withServer(_ body: @Sendable () async throws -> Void) async throws {
        if scoped != nil || !isInstalled { return try await body() }
        try await shared.holding { server in try await $scoped.withValue(server) { try await body() } }
    }

    private static let shared = SharedPeer(start: { try await PostgresServer.start() }, stop: { await $0.stop() })
}

extension Trait where Self == PostgresServerTrait {
    /// A PostgreSQL server for the suite.
    public static var postgresServer: Self { PostgresServerTrait() }
}
