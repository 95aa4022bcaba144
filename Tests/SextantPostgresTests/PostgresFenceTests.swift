import Foundation
import Testing
import PostgresNIO
import SextantAPI
import SextantCore
import SextantTestSupport
import SextantWire
@testable import SextantPostgres

/// No write with a stale epoch is ever accepted: the fence at the start of every write
/// transaction, and the trigger behind it.
@Suite(.serialized, .postgresServer, .enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled))
struct PostgresFenceTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Every write of `StateStore`, each with arguments that would change some table.
    enum Write: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case restore, recordFetch, recordFetchFailure, recordCommit, apply, startAction, finishAction, record, saveStatus,
             takeRequests, saveGateway, saveRoutes, saveResources

        var testDescription: String { rawValue }

        func perform(_ store: any StateStore, actionID: Int64) async throws {
            let now = PostgresFenceTests.now
            let key = ObjectKey(.dataset, "tx")
            let event = Event(time: now, kind: .dataset, name: "tx", reason: .datasetValidated, message: "stale", commit: "c9", actor: "sextant")
            switch self {
            case .restore:
                _ = try await store.restore(at: now)
            case .recordFetch:
                try await store.recordFetch(SourceRevision(commit: "c9", subject: "s", authorTime: now), branch: "main", at: now)
            case .recordFetchFailure:
                try await store.recordFetchFailure("unreachable", branch: "main", at: now)
            case .recordCommit:
                try await store.recordCommit(SourceRevision(commit: "c9", subject: "s", authorTime: now), valid: true, diagnostics: [], eventsIfNew: [event], at: now)
            case .apply:
                try await store.apply(commit: "c9", objects: [AppliedObject(key: key, file: "d.yaml", line: 2)], events: [event], at: now)
            case .startAction:
                _ = try await store.startAction(JournalEntry(action: "CheckDataset", key: key, fingerprint: "f9", attempt: 1, commit: "c9", input: "{}", startedAt: now))
            case .finishAction:
                try await store.finishAction(actionID, JournalOutcome(state: .succeeded, output: "ok", finishedAt: now),
                                             update: .upsert(ObservedObject(key: key, fingerprint: "f9", updatedAt: now)), events: [event])
            case .record:
                try await store.record([event])
            case .saveStatus:
                let object = ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "stale", createdAt: now)
                try await store.saveStatus(StatusDocument(revision: RevisionStatus(commit: "c9", appliedCommit: "c9", branch: "main"), objects: [object]),
                                           changed: [object], removed: [])
            case .takeRequests:
                _ = try await store.takeRequests()
            case .saveGateway:
                try await store.saveGateway(GatewayProcess(address: GatewayAddress(host: "127.0.0.1", port: 9), adminEndpoint: "http://127.0.0.1:10",
                                                           log: "g.log", startedAt: now, handle: RuntimeHandle(id: "stale", data: [:])))
            case .saveRoutes:
                try await store.saveRoutes(RoutingTable(generation: 99, models: [:]))
            case .saveResources:
                try await store.saveResources([RevisionResources(key: RevisionKey("fraud", 9), exitedCPUSeconds: 1, updatedAt: now)])
            }
        }
    }

    /// Every table's row count, and a digest of its contents: what a refused write must leave as it was.
    static func snapshot(_ database: PostgresTestDatabase) async throws -> [String: String] {
        var snapshot: [String: String] = [:]
        for table in PostgresSchema.fencedTables + ["requests", "leader"] {
            let rows = try await database.rows("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM \(table) t")
            snapshot[table] = rows.first?.first ?? nil
        }
        return snapshot
    }

    /// Store A led in epoch 1 and wrote something to every table; its lease expired and
    /// store B took over in epoch 2. Runs `body` with A's writer and the started action's id.
    static func withStaleLeader(_ body: (PostgresTestDatabase, PostgresStateWriter, Int64) async throws -> Void) async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a"), name: "a") { a in
            let termA = try #require(try await a.acquire(holder: "a", api: nil))
            try await database.holdLease()
            let writerA = a.writer(for: termA)
            var actionID: Int64 = 0
            for write in Write.allCases where write != .takeRequests {
                try await write.perform(writerA, actionID: actionID)
                if write == .startAction { actionID = try #require(try await a.journal().last?.id) }
            }
            try await a.queue(OperatorRequest(decision: .retry, model: "fraud", actor: "ana", time: now))
            try await database.execute("UPDATE leader SET expires_at = now() - interval '1 second'")
            try await RunningPostgresStore.with(url: database.url(as: "store_b"), name: "b") { b in
                let termB = try #require(try await b.acquire(holder: "b", api: nil))
                try await database.holdLease()
                #expect(termB.epoch == 2)
                try await body(database, writerA, actionID)
            }
        }
    }

    @Test("after a takeover, every write of the old leader throws LeaseLost naming the new epoch, and no table changes",
          arguments: Write.allCases)
    func staleWriterRefused(_ write: Write) async throws {
        try await Self.withStaleLeader { database, writerA, actionID in
            let before = try await Self.snapshot(database)
            let error = await #expect(throws: LeaseLost.self) { try await write.perform(writerA, actionID: actionID) }
            #expect(error?.term == writerA.term)
            #expect(error?.current == 2)
            #expect(try await Self.snapshot(database) == before)
        }
    }

    @Test("an expired lease nobody took is refused too: LeaseLost with nobody leading, nothing written")
    func expiredUntaken() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { store in
            let term = try #require(try await store.acquire(holder: "a", api: nil))
            try await database.holdLease()
            let writer = store.writer(for: term)
            try await writer.record([Event(time: Self.now, kind: .dataset, name: "tx", reason: .datasetValidated, message: "kept", commit: nil, actor: "sextant")])
            try await database.execute("UPDATE leader SET expires_at = now() - interval '1 second'")
            let before = try await Self.snapshot(database)
            for write in Write.allCases {
                let error = await #expect(throws: LeaseLost.self, "\(write)") { try await write.perform(writer, actionID: 1) }
                #expect(error?.current == nil)
            }
            #expect(try await Self.snapshot(database) == before)
        }
    }

    @Test("the trigger alone refuses a statement whose transaction names a stale epoch (SQLSTATE SX001), and one that names none; the current epoch passes")
    func triggerAlone() async throws {
        try await Self.withStaleLeader { database, writerA, _ in
            let insert = "INSERT INTO events (time, kind, name, reason, message, actor, epoch) VALUES (now(), 'Dataset', 'tx', 'Sneaked', 'm', 'x', 1)"
            let before = try await Self.snapshot(database)
            await #expect(throws: (any Error).self) { try await database.execute("SELECT set_config('sextant.epoch', '1', true); \(insert)") }
            await #expect(throws: (any Error).self) { try await database.execute(insert) }
            #expect(try await Self.snapshot(database) == before)
            // Through the store's own connection, as store_a: the error is SX001 and maps to LeaseLost.
            let client = writerA.store.client
            let refusal: (any Error)? = await {
                do {
                    try await client.withConnection { connection in
                        try await connection.query("BEGIN", logger: quietLogger)
                        defer { Task { _ = try? await connection.query("ROLLBACK", logger: quietLogger) } }
                        try await connection.query("SELECT set_config('sextant.epoch', '1', true)", logger: quietLogger)
                        try await connection.query(PostgresQuery(unsafeSQL: insert), logger: quietLogger)
                    }
                    return nil
                } catch {
                    return error
                }
            }()
            let error = try #require(refusal)
            #expect(PostgresStore.isFenceRefusal(error), "\(String(reflecting: error))")
            #expect(try await Self.snapshot(database) == before)
            try await database.execute("SELECT set_config('sextant.epoch', '2', true); \(insert)")
            #expect(try await database.rows("SELECT count(*) FROM events WHERE reason = 'Sneaked'") == [["1"]], "the current epoch's write passes")
        }
    }

    @Test("concurrent records from one writer get strictly increasing ids, without gaps, each write's events together")
    func concurrentRecords() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { store in
            let writer = store.writer(for: try #require(try await store.acquire(holder: "a", api: nil)))
            try await database.holdLease()
            // As many as the pool has connections: more would test the pool's wait for one.
            let writes = 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<writes {
                    group.addTask {
                        try await writer.record((1...3).map {
                            Event(time: Self.now, kind: .dataset, name: "w\(index)", reason: .datasetValidated, message: "\($0)", commit: nil, actor: "sextant")
                        })
                    }
                }
                try await group.waitForAll()
            }
            let events = try await store.events(since: 0, limit: 1000)
            let ids = events.compactMap(\.id)
            #expect(ids.count == writes * 3)
            #expect(ids == Array(ids[0]..<(ids[0] + Int64(writes * 3))), "increasing, no gap")
            let names = events.map(\.name)
            for start in stride(from: 0, to: names.count, by: 3) {
                #expect(Set(names[start..<start + 3]).count == 1, "one write's events are adjacent: \(names[start..<start + 3])")
                #expect(events[start..<start + 3].map(\.message) == ["1", "2", "3"])
            }
            #expect(try await database.rows("SELECT DISTINCT epoch FROM events") == [["1"]], "each row carries its term's epoch")
        }
    }
}
