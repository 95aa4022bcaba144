import Foundation
import Testing
import GRDB
import SextantAPI
import SextantCore
import SextantTestSupport
@testable import SextantStore

/// `apply` writes only the `desiredObjects` rows that changed since its last write: the
/// table must still hold what one full write of the last commit holds, also after a failed
/// write. (The sequence of applies both stores must handle is in StoreContractTests.)
@Suite struct DesiredObjectsStoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func object(_ kind: ManifestKind, _ name: String, _ file: String, _ line: Int) -> AppliedObject {
        AppliedObject(key: ObjectKey(kind, name), file: file, line: line)
    }

    static let first = [object(.dataset, "a", "datasets/a.yaml", 1), object(.dataset, "b", "datasets/b.yaml", 1),
                        object(.model, "m", "models/m.yaml", 1)]
    /// `a` moved within its file, `b` removed, `m` unchanged, `c` new.
    static let second = [object(.dataset, "a", "datasets/a.yaml", 9), object(.model, "m", "models/m.yaml", 1),
                         object(.dataset, "c", "datasets/c.yaml", 1)]

    func rows(_ store: SQLiteStore) async throws -> [[String]] {
        try await store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, name, \"commit\", file, line FROM desiredObjects ORDER BY kind, name").map { row in
                [row["kind"], row["name"], row["commit"], row["file"], String(row["line"] as Int)]
            }
        }
    }

    func fullWrite(commit: String, _ objects: [AppliedObject]) async throws -> [[String]] {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        try await store.apply(commit: commit, objects: objects, events: [], at: Self.now)
        return try await rows(store)
    }

    @Test("an apply that fails writes nothing; the next one writes the whole table again")
    func afterFailure() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        try await store.apply(commit: "c1", objects: Self.first, events: [], at: Self.now)
        let pages = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        _ = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
        let many = (1...500).map { Self.object(.dataset, "d\($0)" + String(repeating: "x", count: 200), "datasets/d.yaml", $0) }
        await #expect(throws: StoreError.self) { try await store.apply(commit: "c2", objects: many, events: [], at: Self.now) }
        #expect(try await rows(store) == (try await fullWrite(commit: "c1", Self.first)), "the transaction was rolled back whole")

        _ = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
        try await store.apply(commit: "c3", objects: Self.second, events: [], at: Self.now)
        #expect(try await rows(store) == (try await fullWrite(commit: "c3", Self.second)))
    }
}
