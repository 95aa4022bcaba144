import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Logging
import Testing
import SextantAPI
import SextantCore
import SextantDaemon
import SextantStore
import SextantTestSupport

/// What the API says while the store cannot be written.
@Suite struct StoreFailureAPITests {
    static let saved = Date(timeIntervalSince1970: 1_800_000_000)

    struct Fixture {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let health = StoreHealth()
        let readiness = Readiness()

        init() throws {
            directory = try TemporaryDirectory()
            store = try SQLiteStore(directory: directory.path)
        }

        func api() -> DaemonAPI {
            DaemonAPI(configuration: .init(host: "127.0.0.1", port: 0), store: store, stateDirectory: store.directory, trigger: PassTrigger(),
                      metrics: DaemonMetrics(storeHealth: health), readiness: readiness, storeHealth: health)
        }

        /// The outage the reconciler would record: status could not be saved a minute after
        /// the last save, then a journal entry failed too.
        func fail() {
            health.recordFailure(operation: "saving status", message: "\(store.path): database or disk is full (SQLite error 13); free space …",
                                 at: StoreFailureAPITests.saved + 60)
            health.recordFailure(operation: "journaling CheckDataset of Dataset/tx",
                                 message: "\(store.path): database or disk is full (SQLite error 13); free space on the file system that holds \(directory.path), or give --state-dir a place with room",
                                 at: StoreFailureAPITests.saved + 90)
        }
    }

    @Test("/readyz answers 503 naming the store, the failed write, since when and what to do; ready again after recovery")
    func readiness() async throws {
        let fixture = try Fixture()
        fixture.readiness.markReady()
        fixture.fail()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == """
                    store unavailable: journaling CheckDataset of Dataset/tx failed since 2027-01-15T08:01:00Z (2 failed writes): \
                    \(fixture.store.path): database or disk is full (SQLite error 13); free space on the file system that holds \
                    \(fixture.directory.path), or give --state-dir a place with room

                    """)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok, "alive: restarting would not free the disk") }
            fixture.health.recordRecovery()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready\n")
            }
        }
    }

    @Test("a store failure before the first pass is what /readyz and status say, not 'starting'")
    func failureBeforeFirstPass() async throws {
        let fixture = try Fixture()
        fixture.fail()
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).hasPrefix("store unavailable: journaling CheckDataset"))
            }
            try await client.execute(uri: "/api/v1/status", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).hasPrefix(#"{"error":"no status saved yet: store unavailable: journaling CheckDataset"#))
            }
        }
    }

    @Test("/api/v1/status is the last saved document with revision.error and a StoreUnavailable condition on every object")
    func statusOverlay() async throws {
        let fixture = try Fixture()
        let document = StatusDocument(revision: .init(commit: String(repeating: "a", count: 40), branch: "main", reconciledAt: Self.saved), objects: [
            ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "", createdAt: Self.saved),
            ObjectStatus(kind: .model, name: "fraud", sync: .synced, health: .healthy, phase: .serving, message: "", createdAt: Self.saved),
        ])
        try await fixture.store.saveStatus(document, changed: document.objects, removed: [])
        fixture.readiness.markReady()
        fixture.fail()
        let summary = try #require(fixture.health.failure?.summary)
        try await fixture.api().application(logger: Logger(label: "test")).test(.router) { client in
            try await client.execute(uri: "/api/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                let shown = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(String(buffer: response.body).utf8))
                #expect(shown.revision.error == summary)
                #expect(shown.revision.reconciledAt == Self.saved, "as saved: the time says how old it is")
                #expect(shown.objects.map(\.phase) == [.serving, .validated])
                for object in shown.objects {
                    let condition = try #require(object.conditions.first)
                    #expect(condition.type == "StoreUnavailable" && condition.status == "True" && condition.reason == "StoreWriteFailed")
                    #expect(condition.lastTransitionTime == Self.saved + 60)
                    #expect(condition.message == "status as of 2027-01-15T08:00:00Z: newer status cannot be saved; \(summary)")
                }
            }
            try await client.execute(uri: "/api/v1/status?name=fraud", method: .get) { response in
                let shown = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(String(buffer: response.body).utf8))
                #expect(shown.objects.map(\.name) == ["fraud"])
                #expect(shown.revision.error == summary)
            }
            fixture.health.recordRecovery()
            try await client.execute(uri: "/api/v1/status", method: .get) { response in
                let shown = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(String(buffer: response.body).utf8))
                #expect(shown.revision.error == nil)
                #expect(shown.objects.allSatisfy { $0.conditions.isEmpty })
            }
        }
    }

    @Test("metrics: sextant_store_available, sextant_store_pending_writes and sextant_store_write_failures_total follow StoreHealth")
    func metrics() throws {
        let health = StoreHealth()
        let metrics = DaemonMetrics(storeHealth: health)
        let healthy = metrics.exposition()
        #expect(healthy.contains("\nsextant_store_available 1.0\n"))
        #expect(healthy.contains("\nsextant_store_write_failures_total 0\n"))
        #expect(healthy.contains("# HELP sextant_store_write_failures_total Writes to the state store that failed"))
        #expect(healthy.contains("# TYPE sextant_store_write_failures_total counter"))
        #expect(healthy.contains("# TYPE sextant_store_available gauge"))

        health.recordFailure(operation: "saving status", message: "full", at: Self.saved)
        health.recordFailure(operation: "saving status", message: "full", at: Self.saved + 5)
        let failing = metrics.exposition()
        #expect(failing.contains("\nsextant_store_available 0.0\n"))
        #expect(failing.contains("\nsextant_store_write_failures_total 2\n"))
        #expect(metrics.exposition().contains("\nsextant_store_write_failures_total 2\n"), "a scrape counts nothing twice")

        health.recordRecovery()
        health.recordFailure(operation: "saving status", message: "full", at: Self.saved + 60)
        health.recordRecovery()
        let recovered = metrics.exposition()
        #expect(recovered.contains("\nsextant_store_available 1.0\n"))
        #expect(recovered.contains("\nsextant_store_write_failures_total 3\n"))
    }

    @Test("metrics while the store fails pass promtool check metrics",
          .enabled(if: PeerTool.promtool.isInstalled, Comment(rawValue: PeerTool.promtool.missing)))
    func promtool() async throws {
        let health = StoreHealth()
        let metrics = DaemonMetrics(storeHealth: health)
        metrics.passFinished(duration: .milliseconds(30), actions: 1, failures: 0, status: StatusDocument(revision: .init(branch: "main", reconciledAt: Self.saved), objects: []))
        health.recordFailure(operation: "saving status", message: "full", at: Self.saved)
        let checked = try await PeerTool.checkMetrics(metrics.exposition())
        #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
    }
}
