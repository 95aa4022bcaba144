import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport

/// A pass saves only the status objects that differ from the last save: applying its
/// `changed` and `removed` to what was saved gives the document, also after a failed save.
@Suite struct StatusSaveTests {
    static func rows(_ store: MemoryStore) -> [ObjectKey: ObjectStatus] { store.data.withLock { $0.statusRows } }
    static func document(_ store: MemoryStore) -> [ObjectKey: ObjectStatus] {
        store.data.withLock { Dictionary(uniqueKeysWithValues: ($0.status?.objects ?? []).map { ($0.key, $0) }) }
    }

    @Test("objects added, changed and removed across commits, and a save that failed: the rows equal the last document")
    func incremental() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let store = MemoryStore()
        let reconciler = Reconciler(source: source, store: store, runtime: FakeRuntime(), clock: ManualClock())
        _ = try await reconciler.pass()
        #expect(Self.rows(store).count == 2)
        #expect(Self.rows(store) == Self.document(store))

        var second = Manifests.basic
        second["more.yaml"] = Manifests.dataset("more")
        source.push("c2", second)
        _ = try await reconciler.pass()
        #expect(Self.rows(store).count == 3)
        #expect(Self.rows(store) == Self.document(store))

        // The save of c3 (`more` removed, the contract changed) fails; the next pass saves it.
        var third = Manifests.basic
        third["contract.yaml"] = Manifests.contract(minimum: 5)
        source.push("c3", third)
        store.failing.withLock { $0 = ["saveStatus"] }
        await #expect(throws: StoreWriteError.self) { try await reconciler.pass() }
        #expect(Self.rows(store).count == 3, "nothing of c3 was saved")
        store.failing.withLock { $0 = [] }
        _ = try await reconciler.pass()
        #expect(store.data.withLock { $0.status?.revision.appliedCommit } == "c3")
        #expect(Self.rows(store).count == 2)
        #expect(Self.rows(store) == Self.document(store))
    }
}
