import Foundation
import Testing
import SextantCore
import SextantTestSupport
@testable import SextantStore

/// Revisions' resource use in the store: what `history` reads and a restarted daemon adds to.
@Suite struct ResourcesStoreTests {
    @Test("saved resource use is restored and read back; a later save replaces a revision's record")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(directory: directory.path)
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        var first = RevisionResources(key: RevisionKey("fraud", 1), updatedAt: time)
        first.record(["a": ResourceUsage(cpuSeconds: 2.5, residentBytes: 4096)], count: .init(instance: "g1", requests: 100), at: time)
        let second = RevisionResources(key: RevisionKey("fraud", 2), exitedCPUSeconds: 7, updatedAt: time)
        try await store.saveResources([first, second])
        first.record([:], count: .init(instance: "g1", requests: 150), at: time.addingTimeInterval(5))
        try await store.saveResources([first])

        let restored = try await store.restore(at: time).resources
        #expect(restored == [first.key: first, second.key: second])
        #expect(restored[first.key]?.cpuSeconds == 2.5 && restored[first.key]?.predictions == 150)
        #expect(try SQLiteStore(readingFrom: directory.path).resources() == restored)
    }
}
