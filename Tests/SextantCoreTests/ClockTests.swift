import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantTestSupport
import SextantWire

/// The loop, its retries and the drain of retired servers wait on the injected clock: a
/// test moves the time, and nothing happens before it does.
@Suite struct ClockTests {
    /// Runs `loop` in a service group for `body`, then shuts it down gracefully.
    static func running(_ loop: ReconcileLoop, _ body: @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [loop], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("the loop waits its interval on the clock: the next pass comes once the clock has passed it")
    func interval() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let clock = ManualClock()
        let reconciler = Reconciler(source: source, store: MemoryStore(), runtime: FakeRuntime(), clock: clock)
        let loop = ReconcileLoop(reconciler: reconciler, interval: .seconds(60), jitter: 0)
        try await Self.running(loop) {
            try await waitUntil { source.fetches.load(ordering: .relaxed) == 1 }
            #expect(await clock.waitForSleepers(), "the loop waits on the clock")
            clock.advance(by: .seconds(59))
            try await Task.sleep(for: .milliseconds(100))
            #expect(source.fetches.load(ordering: .relaxed) == 1, "no pass before the interval has passed on the clock")
            clock.advance(by: .seconds(1))
            try await waitUntil { source.fetches.load(ordering: .relaxed) == 2 }
        }
    }

    @Test("a failed check's retry waits its backoff on the clock, not the interval")
    func retryBackoff() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let clock = ManualClock()
        let runtime = FakeRuntime()
        runtime.failing.store(true, ordering: .relaxed)
        let reconciler = Reconciler(source: source, store: MemoryStore(), runtime: runtime, clock: clock)
        let loop = ReconcileLoop(reconciler: reconciler, interval: .seconds(3600), jitter: 0)
        try await Self.running(loop) {
            try await waitUntil { runtime.checks.load(ordering: .relaxed) == 1 }
            #expect(await clock.waitForSleepers())
            clock.advance(by: .seconds(Backoff.delay(afterAttempts: 1) - 1))
            try await Task.sleep(for: .milliseconds(100))
            #expect(runtime.checks.load(ordering: .relaxed) == 1, "still backing off")
            clock.advance(by: .seconds(1))
            try await waitUntil { runtime.checks.load(ordering: .relaxed) == 2 }
        }
    }

    @Test("retired servers with requests in flight are stopped after the drain grace on the clock")
    func drainGrace() async throws {
        let source = FakeSource()
        source.push("c1", Manifests.basic)
        let clock = ManualClock()
        let runtime = FakeRuntime()
        let reconciler = Reconciler(source: source, store: MemoryStore(), runtime: runtime, clock: clock,
                                    options: .init(gateway: GatewayAddress(host: "127.0.0.1", port: 8080)))
        _ = try await reconciler.pass()
        await reconciler.superviseGateway()
        let replica = Replica.fake(revision: 1, index: 0, id: "r1-0", port: 9001, startedAt: clock.now())
        runtime.models.withLock { _ = $0.running.insert(replica.id) }
        runtime.dataPlane.withLock {
            // The gateway has the current routing table, and still two requests on their way to r1.
            $0.traffic = GatewayStatistics(instance: "g1", generation: $0.pushed.last?.generation ?? 0,
                                           revisions: [RevisionCounters(model: "fraud", revision: 1, inFlight: 2)])
        }
        func running() -> Bool { runtime.models.withLock { $0.running.contains(replica.id) } }

        let draining = Task { await reconciler.stopWhenDrained([replica], model: "fraud", revision: 1) }
        #expect(await clock.waitForSleepers())
        clock.advance(by: Reconciler.drainGrace - .seconds(1))
        #expect(await clock.waitForSleepers(), "still waiting for the requests in flight")
        #expect(running())
        clock.advance(by: .seconds(1))
        await draining.value
        #expect(!running(), "stopped once the grace had passed on the clock")
    }
}
