import Foundation
import Testing
import SextantCore
import SextantPostgres
import SextantTestSupport

/// Creating and updating the tables; a server that cannot be reached.
@Suite(.serialized, .postgresServer) struct PostgresMigrationTests {
    @Test("replicas migrating at once take turns: the tables are created once, with the fence on every state table",
          .enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled))
    func concurrent() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for role in ["store_a", "store_b", "store_a"] {
                group.addTask { try await RunningPostgresStore.with(url: database.url(as: role)) { _ in } }
            }
            try await group.waitForAll()
        }
        #expect(try await database.rows("SELECT id FROM schema_migrations") == [["pg1: the store as of SQLite v6, the lease, the fence"]])
        let fenced = try await database.rows("SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE '%_fence' GROUP BY 1 ORDER BY 1")
        #expect(fenced.count == 14)
        #expect(!fenced.contains(["requests"]) && !fenced.contains(["leader"]))
        #expect(try await database.rows("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'") == [["sextant"]],
                "the owner role owns every table, whichever replica created them")
    }

    @Test("a schema written by a newer Sextant is refused with SQLite's message", .enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled))
    func newerSchema() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { _ in }
        try await database.execute("INSERT INTO schema_migrations VALUES ('pg99: from the future', now())")
        let url = database.url(as: "store_a")
        await #expect(throws: PostgresStoreError("\(url) was written by a newer Sextant (schema pg99: from the future); upgrade this one")) {
            try await RunningPostgresStore.with(url: url) { _ in }
        }
    }

    @Test("a server nobody listens on fails migrate naming the URL without its password, and asking whether PostgreSQL runs")
    func unreachable() async throws {
        let refusing = try RefusingPort()
        let url = "postgres://store_a@127.0.0.1:\(refusing.port)/state?sslmode=disable"
        let error = await #expect(throws: PostgresStoreError.self) {
            let store = PostgresStore(configuration: try PostgresStoreConfiguration.parse(url, environment: ["PGPASSWORD": "s3cret"]),
                                      applicationName: "sextant test", logger: quietLogger)
            let running = Task { await store.run() }
            defer { running.cancel() }
            try await store.migrate()
        }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("\(url): cannot connect: "), "\(message)")
        #expect(message.contains("is PostgreSQL running?"))
        #expect(!message.contains("s3cret"))
    }

    @Test("a running store whose server cannot be reached fails a write and a read within seconds, saying so, instead of waiting")
    func unreachableWhileRunning() async throws {
        let refusing = try RefusingPort()
        let url = "postgres://store_a@127.0.0.1:\(refusing.port)/state?sslmode=disable"
        let store = PostgresStore(configuration: try PostgresStoreConfiguration.parse(url, environment: [:]), applicationName: "sextant test", logger: quietLogger)
        let running = Task { await store.run() }
        defer { running.cancel() }
        let started = ContinuousClock.now
        let writeError = await #expect(throws: PostgresStoreError.self) {
            try await store.writer(for: LeaseTerm(holder: "a", epoch: 1)).record([
                Event(time: Date(), kind: .dataset, name: "tx", reason: .datasetValidated, message: "m", commit: nil, actor: "sextant"),
            ])
        }
        #expect(writeError?.message.hasPrefix("\(url): cannot write to the store: ") == true, "\(String(describing: writeError))")
        #expect(writeError?.message.contains("is PostgreSQL running?") == true)
        // Bounds far above the waits (5 s, then 1 s) and far below PostgresNIO's own minute:
        // a loaded machine is slow, a store that waits for the pool is slower still.
        #expect(ContinuousClock.now - started < .seconds(40))
        let read = ContinuousClock.now
        await #expect(throws: PostgresStoreError.self) { try await store.journal() }
        #expect(ContinuousClock.now - read < .seconds(30), "once a wait ran out, the next ones are short until a connection comes")
    }

    @Test("a write cancelled while the server cannot be reached gives up within seconds, not after the connection wait")
    func cancelledWhileUnreachable() async throws {
        let refusing = try RefusingPort()
        let url = "postgres://store_a@127.0.0.1:\(refusing.port)/state?sslmode=disable"
        let store = PostgresStore(configuration: try PostgresStoreConfiguration.parse(url, environment: [:]), applicationName: "sextant test", logger: quietLogger)
        let running = Task { await store.run() }
        defer { running.cancel() }
        let writer = store.writer(for: LeaseTerm(holder: "a", epoch: 1))
        let write = Task {
            try await writer.record([Event(time: Date(), kind: .dataset, name: "tx", reason: .datasetValidated, message: "m", commit: nil, actor: "sextant")])
        }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = ContinuousClock.now
        write.cancel()
        await #expect(throws: PostgresStoreError.self) { try await write.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(6))
    }

    @Test("a write asked by a cancelled task is still written when the server answers (a stopping daemon's last events)",
          .enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled))
    func cancelledCallerStillWrites() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { store in
            let writer = store.writer(for: try #require(try await store.acquire(holder: "a", api: nil)))
            try await database.holdLease()
            _ = try await store.journal()  // a pooled connection open, as in a running daemon
            let write = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await writer.record([Event(time: Date(), kind: .dataset, name: "tx", reason: .datasetValidated, message: "last", commit: nil, actor: "sextant")])
            }
            try await write.value
            #expect(try await store.events(since: 0, limit: 10).map(\.message) == ["last"])
        }
    }
}
