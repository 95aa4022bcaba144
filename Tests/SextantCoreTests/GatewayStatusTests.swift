import Foundation
import Synchronization
import Testing
import SextantAPI
@testable import SextantCore
import SextantWire
import SextantTestSupport

/// A model is only served through the gateway: status never says Serving or Healthy while
/// the gateway does not serve.
@Suite struct GatewayStatusTests {
    struct OutageRow: CustomTestStringConvertible, Sendable {
        var description: String
        var object: ObjectStatus
        var serving: Bool
        var health: HealthStatus
        var phase: ObjectPhase
        var sync: SyncStatus
        var condition: Bool
        var testDescription: String { description }
    }

    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func model(phase: ObjectPhase, health: HealthStatus, stable: Int?) -> ObjectStatus {
        ObjectStatus(kind: .model, name: "fraud", sync: .synced, health: health, phase: phase, message: "r1 (v1) serves 100% on 1 replica",
                     createdAt: at, model: .init(stableRevision: stable))
    }

    static let rows: [OutageRow] = [
        OutageRow(description: "a serving model becomes Unavailable, Degraded, OutOfSync", object: model(phase: .serving, health: .healthy, stable: 1),
                  serving: false, health: .degraded, phase: .unavailable, sync: .outOfSync, condition: true),
        OutageRow(description: "a model mid-rollout keeps its phase and is Degraded", object: model(phase: .rollingOut, health: .progressing, stable: 1),
                  serving: false, health: .degraded, phase: .rollingOut, sync: .outOfSync, condition: true),
        OutageRow(description: "a model that serves nothing yet keeps its axes and gets the condition", object: model(phase: .training, health: .missing, stable: nil),
                  serving: false, health: .missing, phase: .training, sync: .synced, condition: true),
        OutageRow(description: "a gateway that serves changes nothing", object: model(phase: .serving, health: .healthy, stable: 1),
                  serving: true, health: .healthy, phase: .serving, sync: .synced, condition: false),
        OutageRow(description: "a dataset is not served: unchanged",
                  object: ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "", createdAt: at),
                  serving: false, health: .healthy, phase: .validated, sync: .synced, condition: false),
    ]

    @Test("the gateway's outage on each kind of object", arguments: rows)
    func outage(_ row: OutageRow) {
        var objects = [row.object]
        let gateway = GatewayStatus(address: "127.0.0.1:8080", serving: row.serving, error: row.serving ? nil : "--gateway 127.0.0.1:8080 is taken by another process")
        StatusModel.applyGatewayOutage(gateway, to: &objects, since: Self.at)
        let object = objects[0]
        #expect(object.health == row.health)
        #expect(object.phase == row.phase)
        #expect(object.sync == row.sync)
        let condition = object.conditions.first { $0.type == "GatewayReady" }
        #expect((condition != nil) == row.condition)
        if let condition {
            #expect(condition.status == "False" && condition.reason == "GatewayUnavailable")
            #expect(condition.message.contains("127.0.0.1:8080") && condition.message.contains("taken by another process"), "\(condition.message)")
        }
    }

    static func reconciler(_ source: FakeSource, _ runtime: FakeRuntime) -> Reconciler {
        Reconciler(source: source, store: MemoryStore(), runtime: runtime, clock: ManualClock(),
                   options: .init(gateway: GatewayAddress(host: "127.0.0.1", port: 8080)))
    }

    @Test("a gateway that cannot start: the model is deployed but never Serving; the status document says why")
    func neverStarted() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let runtime = FakeRuntime()
        runtime.dataPlane.withLock { $0.startFailure = "--gateway 127.0.0.1:8080 is taken by another process" }
        let report = try await Self.reconciler(source, runtime).pass()
        let model = try ModelReconcilerTests.model(report)
        #expect(model.model?.stableRevision == 1)
        #expect(model.phase == .unavailable && model.health == .degraded && model.sync == .outOfSync)
        #expect(report.status.gateway == GatewayStatus(address: "127.0.0.1:8080", serving: false, error: "--gateway 127.0.0.1:8080 is taken by another process"))
    }

    @Test("a gateway that dies and cannot come back: the watchdog's check reports the change, the pass shows it, and it clears once the gateway is back")
    func diesAndReturns() async throws {
        let source = FakeSource()
        source.push("c1", ModelReconcilerTests.files())
        let runtime = FakeRuntime()
        let reconciler = Self.reconciler(source, runtime)
        let first = try await reconciler.pass()
        #expect(try ModelReconcilerTests.model(first).phase == .serving)
        #expect(first.status.gateway?.serving == true)
        #expect(await reconciler.superviseGateway(onlyIfStarted: true) == false, "a live gateway: nothing changed")

        runtime.dataPlane.withLock {
            $0.alive = false
            $0.startFailure = "the gateway exited before it was ready"
        }
        #expect(await reconciler.superviseGateway(onlyIfStarted: true) == true, "went down: a pass must save status")
        #expect(await reconciler.superviseGateway(onlyIfStarted: true) == false, "still down: no new pass")
        let down = try ModelReconcilerTests.model(try await reconciler.pass())
        #expect(down.phase == .unavailable && down.health == .degraded)
        #expect(down.conditions.first?.type == "GatewayReady")

        runtime.dataPlane.withLock { $0.startFailure = nil }
        #expect(await reconciler.superviseGateway(onlyIfStarted: true) == true, "back: a pass must save status")
        let back = try await reconciler.pass()
        let model = try ModelReconcilerTests.model(back)
        #expect(model.phase == .serving && model.health == .healthy && model.sync == .synced)
        #expect(!model.conditions.contains { $0.type == "GatewayReady" })
        #expect(back.status.gateway?.serving == true)
    }
}
