import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SextantTestSupport
import SextantWire
import Testing
@testable import SextantGateway

/// An experiment's sticky assignment units (DESIGN §10) through a real gateway and two
/// servers on loopback: a unit (the value of its `X-User-Id`) always gets the same arm, the
/// arms get the split's share of units and of requests, and a request without the header
/// is split by weight as a canary's are.
@Suite struct StickyAssignmentTests {
    static let header = "X-User-Id"

    /// Stable (revision 1) and candidate (revision 2) at `split` % under an experiment.
    static func table(stablePort: Int, candidatePort: Int, split: Int, unitHeader: String? = header, salt: UInt64 = 0xA5A5_0123) -> RoutingTable {
        RoutingTable(generation: 1, models: ["fraud": ModelRoute(
            backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100 - split, endpoints: loopbackEndpoints([stablePort])),
                       RouteBackend(revision: 2, version: 2, role: .candidate, weight: split, endpoints: loopbackEndpoints([candidatePort]))],
            experiment: ExperimentAssignment(unitHeader: unitHeader, salt: salt))])
    }

    /// Sends `count` inference requests, `parallel` at a time; request `index` carries the
    /// fields `fields(index)`. Returns each request's answering revision (nil: not a 200).
    static func revisions(_ base: String, count: Int, parallel: Int = 16, fields: @escaping @Sendable (Int) -> [(String, String)]) async throws -> [Int?] {
        try await withThrowingTaskGroup(of: [(Int, Int?)].self) { group in
            for lane in 0..<parallel {
                group.addTask {
                    var answered: [(Int, Int?)] = []
                    for index in stride(from: lane, to: count, by: parallel) {
                        let answer = try await ProxyTests.infer(base, headers: fields(index))
                        answered.append((index, answer.status == 200 ? answer.revision.flatMap { Int($0) } : nil))
                    }
                    return answered
                }
            }
            var results = [Int?](repeating: nil, count: count)
            for try await lane in group {
                for (index, revision) in lane { results[index] = revision }
            }
            return results
        }
    }

    static func withServers(_ body: (TestUpstream, TestUpstream) async throws -> Void) async throws {
        let stable = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        let candidate = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await stable.stop(); await candidate.stop() } }
        try await body(stable, candidate)
    }

    @Test("10,000 requests of 500 units: no unit sees both arms, and units and requests split within 3 points of the split",
          arguments: [50, 20])
    func unitsAreSticky(split: Int) async throws {
        try await Self.withServers { stable, candidate in
            try await withGateway(Self.table(stablePort: stable.port, candidatePort: candidate.port, split: split)) { _, base in
                // Request i is unit i % 500's: each unit's 20 requests are spread over the run.
                let revisions = try await Self.revisions(base, count: 10_000) { [(Self.header, "user-\($0 % 500)")] }
                #expect(revisions.allSatisfy { $0 == 1 || $0 == 2 }, "every request answered by stable or candidate")
                var arms: [Int: Set<Int>] = [:]
                for (index, revision) in revisions.enumerated() { if let revision { arms[index % 500, default: []].insert(revision) } }
                let switching = arms.filter { $0.value.count > 1 }.keys.sorted()
                #expect(switching.isEmpty, "units that saw both arms: \(switching.prefix(10))")
                let candidateUnits = Double(arms.values.count { $0 == [2] }) / 500
                let candidateRequests = Double(revisions.count { $0 == 2 }) / 10_000
                #expect(abs(candidateUnits - Double(split) / 100) <= 0.03, "candidate's share of units: \(candidateUnits)")
                #expect(abs(candidateRequests - Double(split) / 100) <= 0.03, "candidate's share of requests: \(candidateRequests)")
                #expect(stable.requests + candidate.requests == 10_000)
            }
        }
    }

    @Test("the arm is the one ExperimentAssignment computes, whatever the case of the header's name", arguments: [50, 20])
    func armIsTheComputedOne(split: Int) async throws {
        try await Self.withServers { stable, candidate in
            let table = Self.table(stablePort: stable.port, candidatePort: candidate.port, split: split)
            let assignment = try #require(table.models["fraud"]?.experiment)
            try await withGateway(table) { _, base in
                for index in 0..<40 {
                    let value = "customer-\(index)"
                    let expected = ExperimentAssignment.arm(of: assignment.unit(of: value), weights: [100 - split, split]).map { $0 + 1 }
                    let name = index.isMultiple(of: 2) ? "x-user-id" : "X-USER-ID"
                    let answers = try await Self.revisions(base, count: 3, parallel: 1) { _ in [(name, value)] }
                    #expect(answers == [expected, expected, expected], "\(value)")
                }
            }
        }
    }

    @Test("requests without the unit header, or under an experiment without one, are split by weight request by request",
          arguments: [(50, .absent), (20, .absent), (20, .experimentWithoutHeader)] as [(Int, HeaderChoice)])
    func noUnitSplitsByWeight(split: Int, choice: HeaderChoice) async throws {
        try await Self.withServers { stable, candidate in
            let table = Self.table(stablePort: stable.port, candidatePort: candidate.port, split: split,
                                   unitHeader: choice == .absent ? Self.header : nil)
            try await withGateway(table) { _, base in
                // Under an experiment without a unit header, the header means nothing: one value for all.
                let revisions = try await Self.revisions(base, count: 1_000) { _ in choice == .absent ? [] : [(Self.header, "user-1")] }
                // The smooth weighted round-robin is exact.
                #expect(revisions.count { $0 == 2 } == 10 * split)
                #expect(revisions.count { $0 == 1 } == 10 * (100 - split))
            }
        }
    }

    enum HeaderChoice: Sendable {
        case absent, experimentWithoutHeader
    }

    @Test("a unit whose arm does not answer is answered by the other arm (a retry), after trying its own")
    func failedArmFallsBack() async throws {
        let upstream = try await TestUpstream.start(.answer(status: 200, body: #"{"outputs":[]}"#))
        defer { Task { await upstream.stop() } }
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        // The candidate refuses connections: its units are retried on stable.
        let table = Self.table(stablePort: upstream.port, candidatePort: refusing.port, split: 50)
        let assignment = try #require(table.models["fraud"]?.experiment)
        let candidateUnits = (0..<100).map { "user-\($0)" }.filter { ExperimentAssignment.arm(of: assignment.unit(of: $0), weights: [50, 50]) == 1 }
        #expect(candidateUnits.count > 20)
        try await withGateway(table) { gateway, base in
            for value in candidateUnits.prefix(10) {
                let answer = try await ProxyTests.infer(base, headers: [(Self.header, value)])
                #expect(answer.status == 200 && answer.revision == "1", "\(value)")
            }
            #expect(gateway.statistics().counters(model: "fraud", revision: 2).errors == 10, "each went to its arm first")
        }
    }

    @Test("the prediction log records the hashed unit of a request with the header, never the header's value, and none without it")
    func logRecordsUnit() async throws {
        let state = NSTemporaryDirectory() + "sticky-" + UUID().uuidString
        try await Self.withServers { stable, candidate in
            let table = Self.table(stablePort: stable.port, candidatePort: candidate.port, split: 50)
            let assignment = try #require(table.models["fraud"]?.experiment)
            let gateway = Gateway(routes: table, token: "t", log: .init(state: state), logger: Logger(label: "test"))
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await gateway.inferenceServer(host: "127.0.0.1", port: 0) { continuation.yield($0) }.run() }
                var iterator = ports.makeAsyncIterator()
                let next = await iterator.next()
                let port = try #require(next)
                let base = "http://127.0.0.1:\(port)"
                for index in 0..<20 {
                    var fields = [("X-Request-Id", "request-\(index)")]
                    if index < 15 { fields.append((Self.header, "alice@example.com-\(index % 5)")) }
                    #expect(try await ProxyTests.infer(base, headers: fields).status == 200)
                }
                group.cancelAll()
                while let _ = try? await group.next() {}
            }
            gateway.stopLog()
            let records = try SegmentReader<PredictionRecord>(state: state, model: "fraud").read(from: nil).records
            #expect(records.count == 20)
            for record in records {
                let index = try #require(Int(record.requestId.dropFirst("request-".count)))
                let expected = index < 15 ? assignment.unit(of: "alice@example.com-\(index % 5)") : nil
                #expect(record.unit == expected, "\(record.requestId)")
                if let unit = record.unit {
                    #expect(record.revision == 1 + ExperimentAssignment.arm(of: unit, weights: [50, 50])!, "the record's revision is the unit's arm")
                }
            }
            let raw = try FileManager.default.subpathsOfDirectory(atPath: state + "/predictions/fraud").map {
                try Data(contentsOf: URL(fileURLWithPath: state + "/predictions/fraud/" + $0))
            }
            #expect(!raw.isEmpty && raw.allSatisfy { $0.range(of: Data("alice@example.com".utf8)) == nil }, "the header's value is not in the log")
        }
    }
}
