import Foundation
import SextantWire
import Testing

/// The admin protocol's JSON: what a gateway and a daemon of different versions, and a
/// table stored before an upgrade, exchange.
@Suite struct RoutingTableCodingTests {
    @Test("a stored table of protocol 1 (loopback ports) loads with endpoints, so an upgrade loses no route")
    func protocolOneTableLoads() throws {
        let json = """
            {"protocolVersion": 1, "generation": 7, "models": {"fraud": {"backends": [
              {"revision": 3, "version": 2, "role": "stable", "weight": 90, "ports": [9000, 9001]},
              {"revision": 4, "version": 3, "role": "candidate", "weight": 10, "ports": [9100]}],
              "headerRoute": {"name": "X-Canary", "value": "1", "revision": 4}}}}
            """
        let table = try JSONDecoder().decode(RoutingTable.self, from: Data(json.utf8))
        #expect(table.protocolVersion == 1)
        #expect(table.generation == 7)
        let backends = try #require(table.models["fraud"]).backends
        #expect(backends.map(\.endpoints) == [["http://127.0.0.1:9000", "http://127.0.0.1:9001"], ["http://127.0.0.1:9100"]])
        #expect(backends.map(\.role) == [.stable, .candidate])
    }

    @Test("a table of this protocol names endpoints and keeps the role strings")
    func currentTableRoundTrips() throws {
        let table = RoutingTable(generation: 2, models: ["m": ModelRoute(backends: [
            RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["http://10.0.0.5:8000"]),
            RouteBackend(revision: 2, version: 2, role: .shadow, weight: 0, endpoints: ["http://[::1]:8001"], mirrorPercent: 20),
        ])])
        let json = try JSONEncoder().encode(table)
        let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["protocolVersion"] as? Int == 2, "no input to hash: a gateway of protocol 2 takes it")
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""role":"shadow""#))
        #expect(!text.contains("ports"))
        #expect(try JSONDecoder().decode(RoutingTable.self, from: json) == table)
    }

    @Test("a table with inputs to hash is protocol 3: a gateway of protocol 2 refuses it rather than log them in clear")
    func hashedInputsTable() throws {
        let hashed = HashedInputs(names: ["postcode"], features: ["amount", "postcode"], columns: ["amount", "postcode"])
        let table = RoutingTable(generation: 3, models: [
            "m": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: ["http://127.0.0.1:9000"])],
                            log: PredictionLogSettings(hashedInputs: hashed)),
            "n": ModelRoute(backends: [], log: PredictionLogSettings()),
        ])
        #expect(table.protocolVersion == 3 && RoutingTable.protocolVersion == 4)
        let decoded = try JSONDecoder().decode(RoutingTable.self, from: try JSONEncoder().encode(table))
        #expect(decoded == table && decoded.models["m"]?.log?.hashedInputs == hashed && decoded.models["n"]?.log?.hashedInputs == nil)
        // Settings from a daemon before protocol 3: nothing to hash.
        let old = #"{"sample": 0.5, "maxBytes": 1024, "retentionSeconds": 60}"#
        #expect(try JSONDecoder().decode(PredictionLogSettings.self, from: Data(old.utf8)) == PredictionLogSettings(sample: 0.5, maxBytes: 1024, retentionSeconds: 60))
    }

    @Test("a table with an experiment is protocol 4, whatever else it has: a gateway of protocol 3 refuses it rather than split requests, not units")
    func experimentTable() throws {
        let backends = [RouteBackend(revision: 1, version: 1, role: .stable, weight: 50, endpoints: ["http://127.0.0.1:9000"]),
                        RouteBackend(revision: 2, version: 2, role: .candidate, weight: 50, endpoints: ["http://127.0.0.1:9001"])]
        let hashed = PredictionLogSettings(hashedInputs: HashedInputs(names: ["postcode"], features: ["postcode"], columns: ["postcode"]))
        for (experiment, log) in [(ExperimentAssignment(unitHeader: "X-User-Id", salt: 0xFEED_FACE_CAFE_BEEF), nil),
                                  (ExperimentAssignment(unitHeader: nil, salt: 1), hashed)] {
            let table = RoutingTable(generation: 5, models: ["m": ModelRoute(backends: backends, log: log, experiment: experiment), "n": ModelRoute(backends: backends)])
            #expect(table.protocolVersion == 4)
            let json = try JSONEncoder().encode(table)
            let decoded = try JSONDecoder().decode(RoutingTable.self, from: json)
            #expect(decoded == table && decoded.models["m"]?.experiment == experiment && decoded.models["n"]?.experiment == nil)
        }
        // The salt survives whole, also above 2^53 (a JSON number read as a Double would not).
        let salted = ExperimentAssignment(unitHeader: "X-User-Id", salt: .max - 1)
        #expect(try JSONDecoder().decode(ExperimentAssignment.self, from: JSONEncoder().encode(salted)).salt == .max - 1)
        // A route from a daemon before protocol 4: no experiment.
        let old = #"{"backends": [{"revision": 1, "version": 1, "role": "stable", "weight": 100, "endpoints": []}]}"#
        #expect(try JSONDecoder().decode(ModelRoute.self, from: Data(old.utf8)).experiment == nil)
    }

    @Test("roles are the strings of protocol 1", arguments: RouteRole.allCases)
    func roleStrings(role: RouteRole) throws {
        let decoded = try JSONDecoder().decode(RouteRole.self, from: Data("\"\(role.rawValue)\"".utf8))
        #expect(decoded == role)
        #expect(["stable", "candidate", "shadow", "preview"].contains(role.rawValue))
    }

    @Test("an unknown role is refused, not routed")
    func unknownRole() {
        let json = #"{"revision": 1, "version": 1, "role": "retiring", "weight": 0, "endpoints": []}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RouteBackend.self, from: Data(json.utf8)) }
    }

    @Test("a gateway record of protocol 1 gives the process of its admin port")
    func legacyGatewayProcess() throws {
        let json = #"{"pid": 42, "startTime": 9876, "host": "0.0.0.0", "port": 8080, "adminPort": 41000, "command": ["sextant", "gateway"]}"#
        let legacy = try JSONDecoder().decode(LocalProcess.LegacyGateway.self, from: Data(json.utf8))
        #expect(legacy.process == LocalProcess(pid: 42, startTime: 9876, port: 41000, command: ["sextant", "gateway"]))
        #expect(legacy.process.endpoint == "http://127.0.0.1:41000")
        #expect(try JSONDecoder().decode(GatewayAddress.self, from: Data(json.utf8)) == GatewayAddress(host: "0.0.0.0", port: 8080))
    }
}
