import Foundation
import Testing
import SextantAPI
import SextantCore
@testable import SextantDaemon
import SextantTestSupport

/// `sextant_replica_cpu_seconds_total` and `sextant_replica_resident_bytes` from status.
@Suite struct ReplicaMetricsTests {
    static func status(_ replicas: [(revision: Int, index: Int, startedAt: Double, cpu: Double, bytes: Int)]) -> StatusDocument {
        var object = ObjectStatus(kind: .model, name: "fraud", sync: .synced, health: .healthy, phase: .serving, message: "",
                                  createdAt: Date(timeIntervalSince1970: 0), model: .init())
        object.model?.replicas = replicas.map { entry in
            let replica = Replica(revision: entry.revision, index: entry.index, endpoint: "http://127.0.0.1:1", log: "log",
                                  startedAt: Date(timeIntervalSince1970: entry.startedAt), handle: RuntimeHandle(id: "\(entry.revision)-\(entry.startedAt)", data: [:]))
            return ReplicaStatus(replica, role: "stable", health: .ready, crashes: 0, resources: ResourceUsage(cpuSeconds: entry.cpu, residentBytes: entry.bytes))
        }
        return StatusDocument(revision: RevisionStatus(branch: "main"), objects: [object])
    }

    /// The value of the one sample line of `family` with `labels`, nil when there is none.
    static func value(_ exposition: String, _ family: String, _ labels: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix("\(family){\(labels)} ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    static let replica0 = #"model="fraud",revision="1",replica="0""#
    static let replica1 = #"model="fraud",revision="1",replica="1""#

    @Test("each replica's CPU counter and memory gauge, promtool-valid; a restarted replica's counter starts again; a stopped replica's series go")
    func series() async throws {
        let metrics = DaemonMetrics()
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0,
                             status: Self.status([(1, 0, 100, 1.25, 50 << 20), (1, 1, 100, 0.5, 40 << 20)]))
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0,
                             status: Self.status([(1, 0, 100, 2.75, 60 << 20), (1, 1, 100, 0.5, 40 << 20)]))
        let text = metrics.exposition()
        #expect(text.contains("# TYPE sextant_replica_cpu_seconds_total counter"), "\(text)")
        #expect(text.contains("# TYPE sextant_replica_resident_bytes gauge"))
        #expect(Self.value(text, "sextant_replica_cpu_seconds_total", Self.replica0) == 2.75)
        #expect(Self.value(text, "sextant_replica_resident_bytes", Self.replica0) == Double(60 << 20))
        #expect(Self.value(text, "sextant_replica_cpu_seconds_total", Self.replica1) == 0.5)
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(text)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }

        // Replica 0 restarted (a new process, 0.25 s so far); replica 1 stopped.
        metrics.passFinished(duration: .milliseconds(1), actions: 0, failures: 0, status: Self.status([(1, 0, 200, 0.25, 30 << 20)]))
        let later = metrics.exposition()
        #expect(Self.value(later, "sextant_replica_cpu_seconds_total", Self.replica0) == 0.25, "a new process: a counter reset")
        #expect(Self.value(later, "sextant_replica_cpu_seconds_total", Self.replica1) == nil, "\(later)")
        #expect(Self.value(later, "sextant_replica_resident_bytes", Self.replica1) == nil)
    }
}
