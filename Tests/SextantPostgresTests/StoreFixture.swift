import Foundation
import GRDB
import Logging
import Testing
import SextantCore
import SextantPostgres
import SextantTestSupport
@testable import SextantStore

/// The two stores the contract tests run on.
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    /// SQLite always; PostgreSQL where its server binaries are installed.
    static var available: [StoreBackend] { PostgresServer.isInstalled ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// The login roles these suites connect as: their own, not the end-to-end tests'
/// `sextant_a`/`sextant_b`, which those tests lock out and disconnect server-wide to cut a
/// leader off (roles belong to the whole server, which the suites share).
let storeRoles = ["store_a", "store_b"]

/// A logger that prints nothing: the tests read what they check.
let quietLogger = Logger(label: "sextant.tests.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

/// A PostgreSQL store on a test database, running, migrated: stopped when released by `with`.
final class RunningPostgresStore: Sendable {
    let store: PostgresStore
    private let running: Task<Void, Never>

    init(url: String, name: String = "test") async throws {
        store = PostgresStore(configuration: try PostgresStoreConfiguration.parse(url, environment: [:]), applicationName: "sextant \(name)", logger: quietLogger)
        let store = store
        running = Task { await store.run() }
        do {
            try await store.migrate()
        } catch {
            running.cancel()
            throw error
        }
    }

    func stop() async {
        running.cancel()
        await running.value
    }

    /// Runs `body` with a running store, stopping it afterwards whatever happens.
    static func with<T>(url: String, name: String = "test", _ body: (PostgresStore) async throws -> T) async throws -> T {
        let running = try await RunningPostgresStore(url: url, name: name)
        do {
            let value = try await body(running.store)
            await running.stop()
            return value
        } catch {
            await running.stop()
            throw error
        }
    }
}

/// One store of a backend, as the reconciler (`store`, the writes) and the API (`reader`)
/// see it. For PostgreSQL, the writer of a term acquired first.
final class StoreFixture: @unchecked Sendable {
    let backend: StoreBackend
    private(set) var store: any StateStore
    private(set) var reader: any StateReader & OperatorQueue
    private let directory: TemporaryDirectory?
    private let database: PostgresTestDatabase?
    private var running: [RunningPostgresStore] = []
    private var term: LeaseTerm?

    private init(backend: StoreBackend) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let store = try SQLiteStore(directory: directory.path)
            self.directory = directory
            database = nil
            self.store = store
            reader = store
        case .postgres:
            let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
            let running = try await RunningPostgresStore(url: database.url(as: "store_a"))
            directory = nil
            self.database = database
            let term = try #require(try await running.store.acquire(holder: "test/1/first", api: nil))
            try await database.holdLease()
            self.term = term
            store = running.store.writer(for: term)
            reader = running.store
            self.running = [running]
        }
    }

    /// Runs `body` with a fresh store of `backend`; a PostgreSQL one is stopped afterwards.
    static func with(_ backend: StoreBackend, _ body: (StoreFixture) async throws -> Void) async throws {
        let fixture = try await StoreFixture(backend: backend)
        do {
            try await body(fixture)
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }

    private func close() async {
        for store in running { await store.stop() }
        running = []
    }

    /// The store opened again, as a restarted daemon would: for PostgreSQL another
    /// process's store, in a new term (the previous one released).
    func reopen() async throws {
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(directory: try #require(directory).path)
            self.store = store
            reader = store
        case .postgres:
            let database = try #require(database)
            if let term, let previous = running.last { try await previous.store.release(term) }
            let running = try await RunningPostgresStore(url: database.url(as: "store_b"), name: "reopened")
            self.running.append(running)
            let term = try #require(try await running.store.acquire(holder: "test/2/reopened", api: nil))
            try await database.holdLease()
            self.term = term
            store = running.store.writer(for: term)
            reader = running.store
        }
    }

    /// `sextant down`'s write: each backend has its own (it is no `StateStore` write).
    func forgetReplicas(at now: Date, actor: String) async throws {
        if let store = store as? SQLiteStore {
            try await store.forgetReplicas(at: now, actor: actor)
        } else {
            try await #require(store as? PostgresStateWriter).forgetReplicas(at: now, actor: actor)
        }
    }

    /// Stores an event as a newer Sextant might have, bypassing the store's types.
    func insertRawEvent(kind: String, name: String, reason: String, message: String, time: Date) async throws {
        switch backend {
        case .sqlite:
            let store = try #require(store as? SQLiteStore)
            try await store.database.write { db in
                try db.execute(sql: """
                    INSERT INTO events (time, kind, name, reason, message, "commit", actor) VALUES (?, ?, ?, ?, ?, NULL, 'sextant')
                    """, arguments: [time, kind, name, reason, message])
            }
        case .postgres:
            let epoch = try #require(term).epoch
            try await #require(database).execute("""
                SELECT set_config('sextant.epoch', '\(epoch)', true);
                INSERT INTO events (time, kind, name, reason, message, commit_sha, actor, epoch)
                VALUES (to_timestamp(\(time.timeIntervalSince1970)), '\(kind)', '\(name)', '\(reason)', '\(message)', NULL, 'sextant', \(epoch));
                """)
        }
    }

    /// `desiredObjects`' rows: kind, name, commit, file, line, by kind and name.
    func desiredRows() async throws -> [[String]] {
        switch backend {
        case .sqlite:
            let store = try #require(store as? SQLiteStore)
            return try await store.database.read { db in
                try String.fetchAll(db, sql: "SELECT kind || '|' || name || '|' || \"commit\" || '|' || file || '|' || line FROM desiredObjects ORDER BY kind, name")
            }.map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        case .postgres:
            return try await #require(database).rows("SELECT kind, name, commit_sha, file, line FROM desired_objects ORDER BY kind, name")
                .map { $0.map { $0 ?? "NULL" } }
        }
    }
}

extension PostgresTestDatabase {
    /// Makes the current lease last an hour: a test that is not about expiry must not lose
    /// its lease because a loaded machine took 15 s between two writes.
    func holdLease() async throws {
        try await execute("UPDATE leader SET expires_at = now() + interval '1 hour'")
    }
}
