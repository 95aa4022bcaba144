import Foundation
import Testing
import SextantCore
import SextantPostgres
import SextantTestSupport

/// The lease on the database's clock: one leader at a time, a new epoch for every term.
/// Expiry is forced by the superuser setting `expires_at` in the past, never by sleeping.
@Suite(.serialized, .postgresServer, .enabled(if: PostgresServer.isInstalled, PostgresServer.notInstalled))
struct PostgresLeaseTests {
    /// Ends the lease now, as 15 s without a renew would.
    static func expire(_ database: PostgresTestDatabase) async throws {
        try await database.execute("UPDATE leader SET expires_at = now() - interval '1 second'")
    }

    @Test("the lease lasts 15 s")
    func duration() {
        #expect(PostgresStore.leaseDuration == .seconds(15))
    }

    @Test("acquire takes a free lease for 15 s on the database's clock; a second holder is refused while it runs; the row names the holder and API")
    func acquire() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { store in
            #expect(try await store.leader() == nil)
            let term = try #require(try await store.acquire(holder: "host/1/aaaa", api: "http://127.0.0.1:7070"))
            #expect(term == LeaseTerm(holder: "host/1/aaaa", epoch: 1))
            #expect(try await store.acquire(holder: "host/2/bbbb", api: nil) == nil)
            let record = try #require(try await store.leader())
            #expect(record.holder == "host/1/aaaa" && record.epoch == 1 && record.api == "http://127.0.0.1:7070")
            let seconds = try await database.rows("SELECT round(extract(epoch FROM expires_at - acquired_at)) FROM leader")
            #expect(seconds == [["15"]])
        }
    }

    @Test("renew extends an unexpired lease; once expired it is lost, and a re-acquire by the same holder is a new term")
    func renewAndExpiry() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { store in
            let term = try #require(try await store.acquire(holder: "host/1/aaaa", api: nil))
            let set = try await database.rows("UPDATE leader SET expires_at = now() + interval '10 seconds' RETURNING extract(epoch FROM expires_at)")
            let before = try #require(set.first?.first.flatMap { $0.flatMap(Double.init) })
            #expect(try await store.renew(term))
            let renewed = try await database.rows("SELECT extract(epoch FROM expires_at) FROM leader")
            let after = try #require(renewed.first?.first.flatMap { $0.flatMap(Double.init) })
            // 15 s from the renewal's now(), which is no earlier than the update's: at least 5 s later.
            #expect(after - before >= 4.999, "renewed to 15 s from now: \(before) → \(after)")
            try await Self.expire(database)
            #expect(try await !store.renew(term), "an expired lease is not renewed")
            let next = try #require(try await store.acquire(holder: "host/1/aaaa", api: nil))
            #expect(next.epoch == 2)
            #expect(try await !store.renew(term), "the old term stays lost")
            #expect(try await store.renew(next))
        }
    }

    @Test("release ends the term at once: another holder acquires without waiting, in a new epoch; a released term cannot renew")
    func release() async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        try await RunningPostgresStore.with(url: database.url(as: "store_a")) { first in
            try await RunningPostgresStore.with(url: database.url(as: "store_b"), name: "b") { second in
                let term = try #require(try await first.acquire(holder: "a", api: nil))
                try await first.release(term)
                #expect(try await !first.renew(term))
                let taken = try #require(try await second.acquire(holder: "b", api: nil))
                #expect(taken == LeaseTerm(holder: "b", epoch: 2))
                try await first.release(term)
                #expect(try await second.renew(taken), "releasing an ended term again leaves the new one alone")
                #expect(try await first.leader()?.holder == "b")
            }
        }
    }

    @Test("stores racing to acquire: exactly one wins", arguments: [2, 6])
    func race(_ contenders: Int) async throws {
        let database = try await PostgresServer.current.makeDatabase(roles: storeRoles)
        let stores = try await (0..<contenders).asyncMap { index in
            try await RunningPostgresStore(url: database.url(as: index % 2 == 0 ? "store_a" : "store_b"), name: "r\(index)")
        }
        for round in 1...3 {
            let terms = try await withThrowingTaskGroup(of: LeaseTerm?.self) { group in
                for (index, running) in stores.enumerated() {
                    group.addTask { try await running.store.acquire(holder: "r\(index)", api: nil) }
                }
                return try await group.reduce(into: [LeaseTerm]()) { if let term = $1 { $0.append(term) } }
            }
            #expect(terms.count == 1, "round \(round): \(terms)")
            #expect(terms.first?.epoch == Int64(round))
            try await Self.expire(database)
        }
        for running in stores { await running.stop() }
    }
}

extension Sequence {
    /// `map` with an async transform, one element after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
