import Foundation
import Testing
import GRDB
import SextantAPI
import SextantCore
import SextantTestSupport
@testable import SextantStore

/// SQLite-only behaviour: the directory lock, a full or read-only file system, GRDB's
/// migrations. What both stores must do is in SextantPostgresTests' StoreContractTests.
@Suite struct SQLiteStoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let key = ObjectKey(.dataset, "tx")

    func entry(_ fingerprint: String = "f1") -> JournalEntry {
        JournalEntry(action: "CheckDataset", key: Self.key, fingerprint: fingerprint, attempt: 1, commit: "c1", input: "{}", startedAt: Self.now)
    }

    /// Reasons the store keeps as written, known to this version or not.
    func event(_ reason: String) -> Event {
        Event(time: Self.now, kind: .dataset, name: "tx", reason: EventReason(rawValue: reason), message: "m", commit: "c1", actor: "sextant")
    }

    @Test("the lock: a second holder fails naming the first; released when the holder goes")
    func lock() throws {
        let directory = try TemporaryDirectory()
        var first: StateDirectoryLock? = try StateDirectoryLock(directory: directory.path, command: "sextant run")
        #expect(throws: StoreError("state directory \(directory.path) is in use by another sextant process (pid \(getpid()): sextant run); stop it, or give this one another --state-dir")) {
            try StateDirectoryLock(directory: directory.path, command: "sextant reconcile --once")
        }
        withExtendedLifetime(first) {}
        first = nil
        _ = try StateDirectoryLock(directory: directory.path, command: "again")
    }

    @Test("reading a state directory without a store says what to run")
    func missing() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: StoreError("no state in \(directory.path): run `sextant reconcile --once` or `sextant run` with --state-dir \(directory.path) first")) {
            try SQLiteStore(readingFrom: directory.path)
        }
    }

    @Test("a store written by a newer Sextant is refused")
    func newerSchema() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        try store.database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        #expect(throws: StoreError.self) { try SQLiteStore(directory: directory.path) }
    }

    @Test("a full database refuses a write with one line naming the file and saying to free space; nothing is half-written; room makes it work")
    func full() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        try await store.record([event("Before")])
        // The database may not grow past its size now, as on a full disk.
        let pages = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        _ = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
        let large = (1...200).map { Event(time: Self.now, kind: .dataset, name: "tx", reason: EventReason(rawValue: "R\($0)"), message: String(repeating: "x", count: 1000), commit: nil, actor: "sextant") }
        let expected = StoreError("\(directory.path)/state.sqlite: database or disk is full (SQLite error 13); "
            + "free space on the file system that holds \(directory.path), or give --state-dir a place with room")
        await #expect(throws: expected) { try await store.record(large) }
        #expect(try store.events().map(\.reason.rawValue) == ["Before"], "the transaction was rolled back whole")

        _ = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
        try await store.record(large)
        #expect(try store.events().count == 201)
    }

    @Test("a database that may not be written says to make the state directory writable")
    func readOnly() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        // What SQLite answers for a read-only file or mount (root ignores file modes).
        try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
        await #expect(throws: StoreError("\(directory.path)/state.sqlite: attempt to write a readonly database (SQLite error 8); make \(directory.path) "
            + "and its files writable by the daemon's user (a read-only mount, an immutable file, an owner changed?)")) {
            try await store.record([event("Refused")])
        }
    }
}
