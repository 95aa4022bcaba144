import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantWire
import SextantTestSupport

/// A revision's resource totals: CPU that never goes back across replica restarts, memory
/// of what runs now, and predictions across gateway restarts.
@Suite struct RevisionResourcesTests {
    /// One sample: the replicas' CPU seconds and resident bytes by id, and the gateway's count.
    struct Sample: Sendable, CustomStringConvertible {
        var replicas: [String: (cpu: Double, bytes: Int)]
        var count: (instance: String, requests: UInt64)?

        var description: String { "\(replicas.mapValues { "\($0.cpu)s/\($0.bytes)B" }) \(count.map { "\($0.instance):\($0.requests)" } ?? "no count")" }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var samples: [Sample]
        var cpuSeconds: Double
        var residentBytes: Int
        var predictions: UInt64
        var per1000: Double?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "two replicas add up", samples: [Sample(replicas: ["a": (1.5, 100), "b": (0.5, 50)], count: ("g1", 0))],
             cpuSeconds: 2, residentBytes: 150, predictions: 0, per1000: nil),
        Case(name: "a restarted replica keeps the CPU of the one that exited; memory is what runs now",
             samples: [Sample(replicas: ["a": (5, 100)], count: ("g1", 10)), Sample(replicas: ["a2": (0.5, 80)], count: ("g1", 10))],
             cpuSeconds: 5.5, residentBytes: 80, predictions: 10, per1000: 550),
        Case(name: "all replicas gone: the CPU stays, the memory is 0",
             samples: [Sample(replicas: ["a": (2, 100), "b": (3, 100)], count: nil), Sample(replicas: [:], count: nil)],
             cpuSeconds: 5, residentBytes: 0, predictions: 0, per1000: nil),
        Case(name: "a replica's CPU that reads lower (a group member gone unwaited) does not take the total back",
             samples: [Sample(replicas: ["a": (4, 100)], count: nil), Sample(replicas: ["a": (3, 90)], count: nil)],
             cpuSeconds: 4, residentBytes: 90, predictions: 0, per1000: nil),
        Case(name: "the same gateway instance counts only what is new",
             samples: [Sample(replicas: ["a": (1, 1)], count: ("g1", 10)), Sample(replicas: ["a": (2, 1)], count: ("g1", 25))],
             cpuSeconds: 2, residentBytes: 1, predictions: 25, per1000: 80),
        Case(name: "a restarted gateway counts from zero, added to the earlier counts",
             samples: [Sample(replicas: ["a": (1, 1)], count: ("g1", 1000)), Sample(replicas: ["a": (3, 1)], count: ("g2", 1000))],
             cpuSeconds: 3, residentBytes: 1, predictions: 2000, per1000: 1.5),
        Case(name: "a gateway that cannot be read leaves the count as it was",
             samples: [Sample(replicas: ["a": (1, 1)], count: ("g1", 500)), Sample(replicas: ["a": (2, 1)], count: nil),
                       Sample(replicas: ["a": (2, 1)], count: ("g1", 600))],
             cpuSeconds: 2, residentBytes: 1, predictions: 600, per1000: 3.3333),
    ]

    @Test("recording samples", arguments: cases)
    func recording(_ test: Case) {
        var resources = RevisionResources(key: RevisionKey("fraud", 1), updatedAt: Date(timeIntervalSince1970: 0))
        for (index, sample) in test.samples.enumerated() {
            resources.record(sample.replicas.mapValues { ResourceUsage(cpuSeconds: $0.cpu, residentBytes: $0.bytes) },
                             count: sample.count.map { .init(instance: $0.instance, requests: $0.requests) }, at: Date(timeIntervalSince1970: Double(index + 1)))
        }
        #expect(abs(resources.cpuSeconds - test.cpuSeconds) < 1e-9, "\(test.samples)")
        #expect(resources.residentBytes == test.residentBytes)
        #expect(resources.predictions == test.predictions)
        #expect(resources.status.cpuSecondsPer1000Predictions == test.per1000)
    }

    @Test("the CPU total never goes back over any sequence of restarts")
    func monotonic() {
        var resources = RevisionResources(key: RevisionKey("fraud", 1), updatedAt: Date(timeIntervalSince1970: 0))
        var previous = 0.0
        // Replica i runs for three samples, then a new one replaces it, starting from a low CPU time.
        for step in 0..<30 {
            let replica = "r\(step / 3)"
            resources.record([replica: ResourceUsage(cpuSeconds: Double(step % 3) + 0.25, residentBytes: 10)], count: nil, at: Date())
            #expect(resources.cpuSeconds >= previous, "step \(step)")
            previous = resources.cpuSeconds
        }
        #expect(abs(previous - (9 * 2.25 + 2.25)) < 1e-9, "ten replicas, each ended at 2.25 s")
    }

    @Test("updatedAt moves only when a sample changes something")
    func updatedAt() {
        var resources = RevisionResources(key: RevisionKey("fraud", 1), updatedAt: Date(timeIntervalSince1970: 0))
        resources.record(["a": ResourceUsage(cpuSeconds: 1, residentBytes: 1)], count: nil, at: Date(timeIntervalSince1970: 10))
        resources.record(["a": ResourceUsage(cpuSeconds: 1, residentBytes: 1)], count: nil, at: Date(timeIntervalSince1970: 20))
        #expect(resources.updatedAt == Date(timeIntervalSince1970: 10))
    }
}

/// Resource use through the reconciler: sampled each pass, shown in status, stored, and
/// added to by a restarted reconciler.
@Suite struct ResourceReconcilerTests {
    @Test("a pass samples the replicas: status shows revision and replica use, the store keeps it, a restarted reconciler adds to it")
    func sampledStoredAndRestored() async throws {
        let source = FakeSource()
        source.push("c1", RolloutReconcilerTests.files(seed: 0))
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        _ = try await RolloutReconcilerTests.reconciler(source, store, runtime, clock).pass()
        let first = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.first })
        runtime.models.withLock { $0.usage = [first.id: ResourceUsage(cpuSeconds: 4, residentBytes: 1 << 20)] }
        runtime.dataPlane.withLock { $0.traffic?.revisions = [RevisionCounters(model: "fraud", revision: 1, requests: 2000)] }
        clock.advance(1)
        let reconciler = RolloutReconcilerTests.reconciler(source, store, runtime, clock)
        let status = try ModelReconcilerTests.model(try await reconciler.pass())
        let stable = try #require(status.model?.traffic.first)
        #expect(stable.resources == ResourceStatus(cpuSeconds: 4, residentBytes: 1 << 20, predictions: 2000, cpuSecondsPer1000Predictions: 2,
                                                   updatedAt: clock.now()))
        #expect(status.model?.replicas.first?.resources == ResourceUsage(cpuSeconds: 4, residentBytes: 1 << 20))
        #expect(store.data.withLock { $0.resources[RevisionKey("fraud", 1)]?.cpuSeconds } == 4)

        // The replica crashes; its replacement has used 1 s. A new reconciler (a restarted daemon) continues the total.
        runtime.models.withLock { _ = $0.running.remove(first.id) }
        clock.advance(1)
        let restarted = RolloutReconcilerTests.reconciler(source, store, runtime, clock)
        _ = try await restarted.pass()
        let replacement = try #require(store.data.withLock { $0.objects[ModelReconcilerTests.key]?.model?.replicas.first })
        #expect(replacement.id != first.id)
        runtime.models.withLock { $0.usage = [replacement.id: ResourceUsage(cpuSeconds: 1, residentBytes: 2 << 20)] }
        runtime.dataPlane.withLock { $0.traffic = GatewayStatistics(instance: "g2", generation: 99, revisions: [RevisionCounters(model: "fraud", revision: 1, requests: 500)]) }
        clock.advance(1)
        let after = try ModelReconcilerTests.model(try await restarted.pass())
        let resources = try #require(after.model?.traffic.first?.resources)
        #expect(resources.cpuSeconds == 5, "the crashed replica's 4 s stay in the total")
        #expect(resources.residentBytes == 2 << 20)
        #expect(resources.predictions == 2500, "a new gateway instance's counts add to the earlier ones")
        #expect(resources.cpuSecondsPer1000Predictions == 2)
    }

    @Test("a runtime that cannot tell: no resources in status, nothing stored")
    func runtimeCannotTell() async throws {
        let source = FakeSource()
        source.push("c1", RolloutReconcilerTests.files(seed: 0))
        let store = MemoryStore(), runtime = FakeRuntime(), clock = ManualClock()
        let status = try ModelReconcilerTests.model(try await RolloutReconcilerTests.reconciler(source, store, runtime, clock).pass())
        #expect(status.phase == .serving)
        #expect(status.model?.traffic.first?.resources == nil && status.model?.replicas.first?.resources == nil)
        #expect(store.data.withLock { $0.resources.isEmpty })
    }
}
