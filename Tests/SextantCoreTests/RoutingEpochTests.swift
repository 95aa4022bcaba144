import Foundation
import Synchronization
import Testing
@testable import SextantCore
import SextantWire
import SextantTestSupport

/// Routing tables carry the lease term of the replica that computed them (DESIGN §12).
@Suite struct RoutingEpochTests {
    static func reconciler(_ source: FakeSource, _ store: MemoryStore, _ runtime: FakeRuntime, epoch: Int64?) -> Reconciler {
        var options = Reconciler.Options(gateway: GatewayAddress(host: "127.0.0.1", port: 8080))
        options.epoch = epoch
        return Reconciler(source: source, store: store, runtime: runtime, clock: ManualClock(), options: options)
    }

    static func pushed(_ runtime: FakeRuntime) -> [RoutingTable.Order] {
        runtime.dataPlane.withLock { $0.pushed.map(\.order) }
    }

    @Test("a new term's first pass stores and pushes the same routes under its epoch with the next generation; later passes push nothing new")
    func newTerm() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        let first = Self.reconciler(source, store, runtime, epoch: 1)
        _ = try await first.pass()
        _ = try await first.pass()
        let before = Self.pushed(runtime)
        let last = try #require(before.last)
        #expect(last.epoch == 1 && Set(before).count == before.count, "each table pushed once: \(before)")
        let models = try #require(runtime.dataPlane.withLock { $0.pushed.last?.models })

        // The next term: a new reconciler on the same store and data plane.
        let second = Self.reconciler(source, store, runtime, epoch: 2)
        _ = try await second.pass()
        _ = try await second.pass()
        let after = Self.pushed(runtime).dropFirst(before.count)
        #expect(Array(after) == [RoutingTable.Order(epoch: 2, generation: last.generation + 1)], "\(after)")
        #expect(runtime.dataPlane.withLock { $0.pushed.last?.models } == models, "the same routes, under the new term")
        #expect(store.data.withLock { $0.routes?.order } == RoutingTable.Order(epoch: 2, generation: last.generation + 1))
    }

    @Test("a daemon alone (no epoch) publishes tables without one, as before")
    func alone() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let store = MemoryStore(), runtime = FakeRuntime()
        let reconciler = Self.reconciler(source, store, runtime, epoch: nil)
        _ = try await reconciler.pass()
        _ = try await Self.reconciler(source, store, runtime, epoch: nil).pass()
        let pushed = runtime.dataPlane.withLock { $0.pushed }
        #expect(!pushed.isEmpty && pushed.allSatisfy { $0.epoch == nil })
        #expect(Set(pushed.map(\.generation)).count == 1, "a restart pushes the stored table again, not a new one: \(pushed.map(\.generation))")
        let json = String(decoding: try JSONEncoder().encode(try #require(pushed.last)), as: UTF8.self)
        #expect(!json.contains("epoch"), "a gateway of before reads it unchanged: \(json)")
    }
}
