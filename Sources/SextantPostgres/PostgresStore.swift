import Foundation
package import Logging
import PostgresNIO
import Synchronization
package import SextantCore
import SextantWire

/// The state store several daemons share (DESIGN §12 "PostgreSQL store"): one PostgreSQL
/// database, read by every replica, written by the one that holds the lease.
///
/// **Tables.** The same as SQLite's (`Schema.swift`, v1–v6) in snake_case, created by
/// `migrate()` (`PostgresSchema`): JSON records stay `text`, dates are `timestamptz`,
/// `"commit"` is `commit_sha`. `actions` and `events` carry the `epoch` of the term that
/// wrote each row; `status_header.generation` counts the saves, so followers decode the
/// status only when it changed. `leader` is the lease; `requests` is operator input.
///
/// **Lease.** One row `leader('reconciler', holder, epoch, expires_at, …)`, on the
/// database's clock alone: `acquire` takes it when it expired (a new, higher epoch),
/// `renew` extends it by `leaseDuration`, `release` ends it. The lease has a client of its
/// own (one connection, `lock_timeout` 2 s), so it never queues behind writes.
///
/// **Fence.** Writes go through `writer(for: term)`. Each write transaction begins by
/// locking the leader row for that holder and epoch while unexpired (`SELECT … FOR
/// UPDATE`): no row, and the write is refused with `LeaseLost`. The lock also makes a
/// takeover wait for the write in flight, and serialises the leader's writes, so event ids
/// follow commit order. A trigger on every state table (`sextant_fence()`) refuses any
/// statement whose transaction did not set `sextant.epoch` to the unexpired lease's epoch
/// (SQLSTATE `SX001`, also `LeaseLost`): a safety net for a write that forgot the check.
package final class PostgresStore: StateReader, OperatorQueue, LeaderElection {
    /// How long a lease lasts after each acquire or renew, on the database's clock.
    package static let leaseDuration: Duration = .seconds(15)
    /// The name of the one lease this store has.
    static let leaseName = "reconciler"

    package let configuration: PostgresStoreConfiguration
    let logger: Logger
    /// Reads and writes.
    let client: PostgresClient
    /// The lease's own connection.
    let leaseClient: PostgresClient
    /// Whether the pools could not give a connection lately.
    let health = PoolHealth(), leaseHealth = PoolHealth()
    private let applicationName: String
    /// The status last read or saved, with its generation: decoded again only when the
    /// generation in the database differs.
    let cachedStatus = Mutex<SavedStatus?>(nil)

    /// A store for `configuration`; nothing connects before `run()` runs and a query asks.
    /// `applicationName` shows in `pg_stat_activity` (`sextant HOST/PID/…`).
    package init(configuration: PostgresStoreConfiguration, applicationName: String, logger: Logger, maximumConnections: Int = 8) {
        self.configuration = configuration
        self.applicationName = applicationName
        self.logger = logger
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = maximumConnections
        options.connectTimeout = .seconds(5)
        options.additionalStartupParameters = [
            ("application_name", applicationName),
            ("idle_in_transaction_session_timeout", "5000"),
            ("statement_timeout", "30000"),
        ]
        client = PostgresClient(configuration: Self.clientConfiguration(configuration, options: options), backgroundLogger: logger)
        var leaseOptions = options
        leaseOptions.maximumConnections = 1
        leaseOptions.additionalStartupParameters.append(("lock_timeout", "2000"))
        leaseClient = PostgresClient(configuration: Self.clientConfiguration(configuration, options: leaseOptions), backgroundLogger: logger)
    }

    private static func clientConfiguration(_ configuration: PostgresStoreConfiguration, options: PostgresClient.Configuration.Options) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch configuration.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var client = PostgresClient.Configuration(host: configuration.host, port: configuration.port, username: configuration.user,
                                                  password: configuration.password, database: configuration.database, tls: tls)
        client.options = options
        return client
    }

    /// Runs the store's connection pools until the task is cancelled: start it before any
    /// query (PostgresNIO's clients need it).
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.leaseClient.run() }
        }
    }

    /// Creates or updates the tables, once per replica start. Replicas starting together
    /// take turns (an advisory lock); a schema written by a newer Sextant is refused.
    package func migrate() async throws {
        let connection = try await connect()
        do {
            try await migrate(on: connection)
            try? await connection.close()
        } catch {
            try? await connection.close()
            if let error = error as? PostgresStoreError { throw error }
            throw describe(error, doing: "cannot migrate the store")
        }
    }

    /// Checks, without changing anything, that the database holds the schema this binary
    /// writes (`down` must not migrate the store of replicas of another version).
    package func requireCurrentSchema() async throws {
        let connection = try await connect()
        defer { Task { try? await connection.close() } }
        var applied: [String] = []
        do {
            for try await id in try await connection.query("SELECT id FROM schema_migrations ORDER BY id", logger: logger).decode(String.self) {
                applied.append(id)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
            throw PostgresStoreError("\(configuration.url) holds no Sextant store: no replica ever ran on it; check --store")
        } catch {
            throw describe(error, doing: "cannot read the store's schema")
        }
        let known = PostgresSchema.migrations.map(\.id)
        if let newer = applied.filter({ !known.contains($0) }).sorted().last {
            throw PostgresStoreError("\(configuration.url) was written by a newer Sextant (schema \(newer)); upgrade this one")
        }
        if let missing = known.first(where: { !applied.contains($0) }) {
            throw PostgresStoreError("\(configuration.url) has an older schema (it lacks \(missing)); start a replica of this Sextant first, which updates it")
        }
    }

    /// The migrations this binary knows and the database lacks, in one transaction.
    private func migrate(on connection: PostgresConnection) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            // Another replica may be migrating: wait for it up to five minutes rather than the
            // 30 s statement timeout, then give each statement 30 s again. Rows are drained so
            // the server's error for the wait itself is the one reported.
            _ = try await connection.query("SET LOCAL statement_timeout = '300s'", logger: logger)
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext('sextant.migrate'))", logger: logger).collect()
            _ = try await connection.query("SET LOCAL statement_timeout = '30s'", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL)
                """, logger: logger)
            var applied: [String] = []
            for try await id in try await connection.query("SELECT id FROM schema_migrations ORDER BY id", logger: logger).decode(String.self) {
                applied.append(id)
            }
            let known = Set(PostgresSchema.migrations.map(\.id))
            if let newer = applied.filter({ !known.contains($0) }).sorted().last {
                throw PostgresStoreError("\(configuration.url) was written by a newer Sextant (schema \(newer)); upgrade this one")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (id, applied_at) VALUES (\(migration.id), now())", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// One connection of its own (not the pool's): fails at once, saying why, when the
    /// server cannot be reached.
    private func connect() async throws(PostgresStoreError) -> PostgresConnection {
        do {
            let tls: PostgresConnection.Configuration.TLS
            switch configuration.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            var connection = PostgresConnection.Configuration(host: configuration.host, port: configuration.port, username: configuration.user,
                                                              password: configuration.password, database: configuration.database, tls: tls)
            connection.options.connectTimeout = .seconds(10)
            connection.options.additionalStartupParameters = [("application_name", applicationName), ("statement_timeout", "30000")]
            return try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
        } catch {
            throw describe(error, doing: "cannot connect")
        }
    }

    // MARK: - Errors

    /// One line naming the URL (never the password), what the server or the network said,
    /// and what to do.
    func describe(_ error: any Error, doing: String) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        let url = configuration.url
        guard let error = error as? PSQLError else {
            return PostgresStoreError("\(url): \(doing): \(error); is PostgreSQL running? check --store's host and port, and that this machine may reach it")
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "error"
            let advice: String
            switch state {
            case "28P01", "28000":
                advice = "check --store's user and the password (--store-password-file or PGPASSWORD)"
            case "3D000":
                advice = "create the database (createdb -O OWNER \(configuration.database)) or name another in --store"
            case "42501":
                advice = "grant the user the store's owner role (GRANT sextant TO \(configuration.user); docs/operations.md)"
            case "53300":
                advice = "the server has no connection left: raise max_connections or stop other clients"
            default:
                advice = "see the server's log"
            }
            return PostgresStoreError("\(url): \(doing): \(message) (SQLSTATE \(state)); \(advice)")
        }
        let said: String
        switch error.code {
        case .sslUnsupported:
            return PostgresStoreError("\(url): \(doing): the server does not offer TLS; use sslmode=disable or prefer, or turn on ssl in the server")
        case .authMechanismRequiresPassword:
            return PostgresStoreError("\(url): \(doing): the server asks for a password; give --store-password-file FILE or PGPASSWORD")
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed, .clientClosedConnection:
            said = error.underlying.map { "\($0)" } ?? "\(error.code)"
        default:
            said = "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return PostgresStoreError("\(url): \(doing): \(said); is PostgreSQL running? check --store's host and port, and that this machine may reach it")
    }

    /// Whether the error is the fence trigger's refusal.
    static func isFenceRefusal(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "SX001"
    }

    // MARK: - Queries

    /// How long a query waits for a pooled connection before failing: PostgresNIO's pool
    /// keeps a request waiting while it retries connecting (up to a minute), and a store
    /// that cannot be reached must say so sooner.
    static let connectionWait: Duration = .seconds(5)

    /// A connection of `client`'s pool for `body`, or `NoConnection` when none could be had
    /// within `connectionWait` (`PostgresStore.connectionWait` unless told), or within `graceOnCancel` of the caller's cancellation (the
    /// pool's request is then cancelled, and not waited for: a pool that cannot connect may
    /// take seconds to notice). Once `body` has a connection it runs to its end.
    static func withConnection<T: Sendable>(_ client: PostgresClient, within longestWait: Duration = connectionWait, graceOnCancel: Duration = .zero,
                                            health: PoolHealth? = nil,
                                            _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let wait = ConnectionWait()
        // A pool that just failed to give a connection is not waited for as long again.
        let connectionWait = health?.isFailing == true ? min(longestWait, .seconds(1)) : longestWait
        // Unstructured tasks on purpose: the answer must not wait for a pool request that
        // was given up to end.
        let work = Task {
            try await client.withConnection { connection in
                guard wait.take() else { throw NoConnection() }
                health?.failing(false)
                return try await body(connection)
            }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let answer = OneAnswer(continuation)
                let timer = Task {
                    let deadline = ContinuousClock.now + connectionWait
                    while ContinuousClock.now < min(deadline, wait.deadline), wait.isWaiting {
                        try? await Task.sleep(for: .milliseconds(50))
                        if Task.isCancelled { return }
                    }
                    if wait.giveUp() {
                        // Only a wait that ran out says the pool fails, not a cancelled one.
                        if ContinuousClock.now >= deadline { health?.failing(true) }
                        work.cancel()
                        answer.give(.failure(NoConnection()))
                    }
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    answer.give(result)
                }
            }
        } onCancel: {
            wait.shorten(to: graceOnCancel)
        }
    }

    /// Whether a pool's last wait for a connection failed: then the next waits are short
    /// until one succeeds (a stopping leader's last writes fail in a second each, not ten).
    final class PoolHealth: Sendable {
        private let state = Mutex(false)

        init() {}

        var isFailing: Bool { state.withLock { $0 } }

        func failing(_ failing: Bool) { state.withLock { $0 = failing } }
    }

    /// Resumes a continuation once, with whichever answer comes first.
    final class OneAnswer<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, any Error>?>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func give(_ result: Result<T, any Error>) {
            continuation.withLock { $0.take() }?.resume(with: result)
        }
    }

    /// A wait for a pooled connection: it ends either taken (the body runs) or given up
    /// (the body never runs), never both, whichever comes first.
    final class ConnectionWait: Sendable {
        private enum State: Equatable { case waiting, taken, givenUp }
        private let state = Mutex(State.waiting)
        private let shortened = Mutex<ContinuousClock.Instant?>(nil)

        init() {}

        var isWaiting: Bool { state.withLock { $0 == .waiting } }

        /// When to give up at the latest, besides `connectionWait`.
        var deadline: ContinuousClock.Instant { shortened.withLock { $0 } ?? .now + .seconds(3600) }

        /// Gives up `grace` from now unless a connection comes: a healthy pool answers in
        /// milliseconds, one that cannot connect is not waited for.
        func shorten(to grace: Duration) {
            shortened.withLock { $0 = $0 ?? .now + grace }
        }

        /// Whether the connection may be used: false once the wait was given up.
        func take() -> Bool {
            state.withLock { state in
                guard state == .waiting else { return false }
                state = .taken
                return true
            }
        }

        /// Gives up unless a connection was taken; true when given up.
        @discardableResult
        func giveUp() -> Bool {
            state.withLock { state in
                guard state != .taken else { return false }
                state = .givenUp
                return true
            }
        }
    }

    /// No pooled connection in time: the server is down or unreachable.
    struct NoConnection: Error, CustomStringConvertible {
        var description: String { "no connection to the server in time" }
    }

    /// How long a lease query waits for the lease's connection: a release at shutdown, or a
    /// renew, must not wait for a server that cannot be reached.
    static let leaseConnectionWait: Duration = .seconds(5)

    /// Every row of a lease query, on the lease's own connection.
    private func leaseRows(_ query: PostgresQuery, within wait: Duration = leaseConnectionWait) async throws -> [PostgresRow] {
        let logger = logger
        do {
            return try await Self.withConnection(leaseClient, within: wait, health: leaseHealth) { connection in
                try await connection.query(query, logger: logger).collect()
            }
        } catch {
            // The lease's connection failing says the server cannot be reached: the other
            // pool's next waits are short too (a stopping leader's last writes).
            if error is NoConnection || (error as? PSQLError).map({ $0.serverInfo == nil }) == true { health.failing(true) }
            throw error
        }
    }

    /// Every row of a query on a pooled connection, outside any transaction the caller made.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let logger = logger
        do {
            return try await Self.withConnection(client, health: health) { connection in try await connection.query(query, logger: logger).collect() }
        } catch {
            throw describe(error, doing: "cannot read the store")
        }
    }

    /// Several reads that must agree (one snapshot), as SQLite's `read` gives.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        do {
            return try await Self.withConnection(client, health: health) { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw describe(error, doing: "cannot read the store")
        }
    }

    /// One fenced write transaction of `term`: the lease check first (`LeaseLost` when the
    /// term no longer holds an unexpired lease), then `sextant.epoch` for the trigger, then
    /// `body`. Not cancelled with the task that asks once it has a connection (`body` runs in
    /// a task of its own): what a write records already happened (a job cancelled by SIGINT,
    /// the events a stopping daemon still holds). Before that, cancelling waits for a
    /// connection 1 s more at most (the pool keeps idle connections: a healthy one answers
    /// at once) (a term ending while the server cannot be
    /// reached must not wait for it).
    func write<T: Sendable>(_ term: LeaseTerm, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let client = client, logger = logger
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await Self.withConnection(client, graceOnCancel: .seconds(1), health: health) { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let held = try await connection.query("""
                        SELECT epoch FROM leader
                         WHERE name = \(Self.leaseName) AND holder = \(term.holder) AND epoch = \(term.epoch) AND expires_at > now()
                           FOR UPDATE
                        """, logger: logger).collect()
                    guard !held.isEmpty else { throw FenceRefusal() }
                    _ = try await connection.query("SELECT set_config('sextant.epoch', \(String(term.epoch)), true)", logger: logger).collect()
                    let value = try await body(connection, logger)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            })
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error) where error is FenceRefusal || Self.isFenceRefusal(error):
            throw LeaseLost(term: term, current: try? await currentEpoch())
        case .failure(let error):
            throw describe(error, doing: "cannot write to the store")
        }
    }

    /// The epoch of the unexpired lease, nil when nobody holds one.
    private func currentEpoch() async throws -> Int64? {
        try await rows("SELECT epoch FROM leader WHERE name = \(Self.leaseName) AND expires_at > now()").first?.decode(Int64.self)
    }

    /// The fence's own refusal, before any statement of the write ran.
    private struct FenceRefusal: Error {}

    // MARK: - LeaderElection

    package func acquire(holder: String, api: String?) async throws -> LeaseTerm? {
        let seconds = Double(Self.leaseDuration.components.seconds)
        do {
            // A held lease is seen by a plain read, which takes no lock: a follower trying every
            // second never waits for the leader's writes (each holds the row FOR UPDATE); ON
            // CONFLICT, which locks the row, runs only once the lease looked ended.
            let rows = try await leaseRows("""
                INSERT INTO leader (name, holder, epoch, expires_at, acquired_at, api)
                SELECT \(Self.leaseName), \(holder), 1, now() + \(seconds) * interval '1 second', now(), \(api)
                 WHERE NOT EXISTS (SELECT 1 FROM leader WHERE name = \(Self.leaseName) AND expires_at > now())
                ON CONFLICT (name) DO UPDATE
                   SET holder = excluded.holder, epoch = leader.epoch + 1, expires_at = excluded.expires_at,
                       acquired_at = now(), api = excluded.api
                 WHERE leader.expires_at <= now()
                RETURNING epoch
                """)
            return try rows.first.map { LeaseTerm(holder: holder, epoch: try $0.decode(Int64.self)) }
        } catch {
            throw describe(error, doing: "cannot take the lease")
        }
    }

    package func renew(_ term: LeaseTerm) async throws -> Bool {
        let seconds = Double(Self.leaseDuration.components.seconds)
        do {
            let rows = try await leaseRows("""
                UPDATE leader SET expires_at = now() + \(seconds) * interval '1 second'
                 WHERE name = \(Self.leaseName) AND holder = \(term.holder) AND epoch = \(term.epoch) AND expires_at > now()
                RETURNING epoch
                """)
            return !rows.isEmpty
        } catch {
            throw describe(error, doing: "cannot renew the lease")
        }
    }

    package func release(_ term: LeaseTerm) async throws {
        do {
            // A release is a courtesy (the lease ends on its own): it waits 1 s at most for the
            // connection, so a replica cut off from the server stops at once.
            _ = try await leaseRows("""
                UPDATE leader SET expires_at = now()
                 WHERE name = \(Self.leaseName) AND holder = \(term.holder) AND epoch = \(term.epoch) AND expires_at > now()
                """, within: .seconds(1))
        } catch {
            throw describe(error, doing: "cannot release the lease")
        }
    }

    package func leader() async throws -> LeaderRecord? {
        do {
            let rows = try await leaseRows("""
                SELECT holder, epoch, expires_at, acquired_at, api FROM leader WHERE name = \(Self.leaseName)
                """)
            return try rows.first.map { row in
                let (holder, epoch, expiresAt, acquiredAt, api) = try row.decode((String, Int64, Date, Date, String?).self)
                return LeaderRecord(holder: holder, epoch: epoch, expiresAt: expiresAt, acquiredAt: acquiredAt, api: api)
            }
        } catch {
            throw describe(error, doing: "cannot read the lease")
        }
    }

    /// The writes of one term: every one fenced by that term's lease.
    package func writer(for term: LeaseTerm) -> PostgresStateWriter {
        PostgresStateWriter(store: self, term: term)
    }

    // MARK: - OperatorQueue

    /// Queues a person's decision for the leader. Any replica may: the queue is input, not
    /// state, so it is not fenced.
    package func queue(_ request: OperatorRequest) async throws {
        let version = request.version.map(Int64.init)
        _ = try await rows("""
            INSERT INTO requests (action, model, actor, time, version)
            VALUES (\(request.decision.rawValue), \(request.model), \(request.actor), \(request.time), \(version))
            """)
    }

    // MARK: - JSON

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }
}

/// The part of status stored in one row: everything but the objects.
struct PostgresStatusHeader: Codable {
    var revision: RevisionStatus
    var comparisonError: ComparisonError?
    var gateway: GatewayStatus?
}
