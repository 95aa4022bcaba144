import Foundation
import SextantAPI
import SextantCore
import SextantWire
import Testing

/// Records a store holds from before runtime handles (the embedded runtime's process
/// fields in the replica and gateway records) decode into today's shape, so a daemon
/// upgraded in place adopts what runs.
@Suite struct RecordCompatibilityTests {
    @Test("a model's replicas of the old shape get endpoints and handles; the new shape round-trips")
    func legacyReplicas() throws {
        let replica = #"{"revision": 2, "index": 0, "pid": 4242, "startTime": 777, "port": 9100, "command": ["serve"], "log": "r2.log", "startedAt": 0}"#
        let json = #"{"stableRevision": 2, "replicas": [\#(replica)], "crashes": 0, "retiring": [{"revision": 1, "until": 60, "replicas": [\#(replica)]}]}"#
        let observation = try JSONDecoder().decode(ModelObservation.self, from: Data(json.utf8))
        let decoded = try #require(observation.replicas.first)
        #expect(decoded.endpoint == "http://127.0.0.1:9100")
        #expect(decoded.id == "4242@777")
        #expect(decoded.handle.summary == ["pid": .number(4242), "port": .number(9100)])
        #expect(decoded.handle.data(as: LocalProcess.self) == LocalProcess(pid: 4242, startTime: 777, port: 9100, command: ["serve"]))
        #expect(observation.retiring.first?.replicas == [decoded])
        let again = try JSONDecoder().decode(ModelObservation.self, from: JSONEncoder().encode(observation))
        #expect(again == observation)
    }

    @Test("a revision's launch stored before autoscaling decodes as a fixed count; a Ray Serve launch round-trips")
    func legacyLaunch() throws {
        let json = #"{"model": "fraud", "version": 1, "revision": 2, "modelDirectory": "models/fraud/v1", "runtime": {"command": {"_0": ["python3", "serve.py"], "env": {"A": "b"}, "commit": "c1"}}}"#
        let launch = try JSONDecoder().decode(ServingLaunch.self, from: Data(json.utf8))
        #expect(launch == ServingLaunch(model: "fraud", version: 1, revision: 2, modelDirectory: "models/fraud/v1",
                                        runtime: .command(["python3", "serve.py"], env: ["A": "b"], commit: "c1")))
        #expect(launch.autoscaling == nil)
        let ray = ServingLaunch(model: "fraud", version: 1, revision: 3, modelDirectory: "models/fraud/v1",
                                runtime: .rayServe(importPath: "serving.app:app", env: [:], commit: "c2"),
                                autoscaling: ServingAutoscaling(minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2))
        #expect(try JSONDecoder().decode(ServingLaunch.self, from: JSONEncoder().encode(ray)) == ray)
    }

    @Test("a gateway record of the old shape keeps its address and gets its admin endpoint")
    func legacyGateway() throws {
        let json = #"{"pid": 31, "startTime": 5, "host": "0.0.0.0", "port": 8080, "adminPort": 41000, "command": ["sextant", "gateway"], "log": "gateway.log", "startedAt": 0}"#
        let gateway = try JSONDecoder().decode(GatewayProcess.self, from: Data(json.utf8))
        #expect(gateway.address == GatewayAddress(host: "0.0.0.0", port: 8080))
        #expect(gateway.adminEndpoint == "http://127.0.0.1:41000")
        #expect(gateway.handle.id == "31@5")
        #expect(gateway.log == "gateway.log")
        #expect(try JSONDecoder().decode(GatewayProcess.self, from: JSONEncoder().encode(gateway)) == gateway)
    }

    @Test("status shows the runtime's fields of a replica beside its own, and reads them back")
    func replicaStatusFields() throws {
        let replica = Replica(revision: 1, index: 0, endpoint: "http://127.0.0.1:9000", log: "log", startedAt: Date(timeIntervalSinceReferenceDate: 0),
                              handle: RuntimeHandle(id: "a", summary: ["pid": .number(12), "port": .number(9000)], data: [:]))
        let status = ReplicaStatus(replica, role: "stable", health: .ready, crashes: 0)
        let json = try JSONEncoder().encode(status)
        let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["pid"] as? Int == 12)
        #expect(object["port"] as? Int == 9000)
        #expect(object["endpoint"] as? String == "http://127.0.0.1:9000")
        #expect(try JSONDecoder().decode(ReplicaStatus.self, from: json) == status)
    }
}
