import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantPostgres
import SextantTestSupport
import SextantWire

/// What every store must do, SQLite's and PostgreSQL's alike: the same test, once per
/// backend. (SQLite-only behaviour — the directory lock, a full or read-only file system —
/// stays in SextantStoreTests.)
@Suite(.serialized, .postgresServer) struct StoreContractTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let key = ObjectKey(.dataset, "tx")

    func entry(_ fingerprint: String = "f1") -> JournalEntry {
        JournalEntry(action: "CheckDataset", key: Self.key, fingerprint: fingerprint, attempt: 1, commit: "c1", input: "{}", startedAt: Self.now)
    }

    /// Reasons the store keeps as written, known to this version or not.
    func event(_ reason: String, name: String = "tx", kind: EventKind = .dataset) -> Event {
        Event(time: Self.now, kind: kind, name: name, reason: EventReason(rawValue: reason), message: "m", commit: "c1", actor: "sextant")
    }

    @Test("CI runs the PostgreSQL half of these tests: PostgreSQL must be installed there",
          .enabled(if: ProcessInfo.processInfo.environment["CI"] != nil, "only on CI, where .ci/run installs postgresql-15"))
    func postgresOnCI() {
        #expect(PostgresServer.isInstalled, "CI has no PostgreSQL server binaries: .ci/run's install block failed, so the PostgreSQL store is untested")
        #expect(StoreBackend.available.contains(.postgres))
    }

    @Test("an action outcome, the object's state and its events are written together and survive reopening", arguments: StoreBackend.available)
    func journal(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let id = try await fixture.store.startAction(entry())
            let object = ObservedObject(key: Self.key, fingerprint: "f1", updatedAt: Self.now)
            try await fixture.store.finishAction(id, JournalOutcome(state: .succeeded, output: "ok", finishedAt: Self.now), update: .upsert(object),
                                                 events: [event("DatasetValidated")])
            try await fixture.store.record([event("Later")])

            try await fixture.reopen()
            let restored = try await fixture.store.restore(at: Self.now)
            #expect(restored.objects[Self.key] == object)
            #expect(try await fixture.reader.journal().map(\.state) == ["succeeded"])
            let events = try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: nil)
            #expect(events.map(\.reason.rawValue) == ["DatasetValidated", "Later"])
            #expect(events[0].id! < events[1].id!)
            #expect(try await fixture.reader.events(since: events[0].id!, limit: 1000, name: nil, kind: nil).map(\.reason.rawValue) == ["Later"])
        }
    }

    @Test("an action left started by a crash is marked failed on restore and retried after a backoff, with an event", arguments: StoreBackend.available)
    func interrupted(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            _ = try await fixture.store.startAction(entry())
            try await fixture.reopen()
            let restored = try await fixture.store.restore(at: Self.now)
            let failure = try #require(restored.objects[Self.key]?.failure)
            #expect(failure.fingerprint == "f1")
            #expect(failure.attempts == 1)
            #expect(failure.nextAttemptAt == Self.now + 5)
            let row = try #require(try await fixture.reader.journal().first)
            #expect(row.state == "failed")
            #expect(row.output == "interrupted: the process ended before the action did")
            let events = try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: nil)
            #expect(events.map(\.message) == ["interrupted: the process ended during CheckDataset (attempt 1); retrying in 5 s"])
            #expect(events.map(\.reason) == [.actionInterrupted])
        }
    }

    @Test("a commit is recorded once; status round-trips with a new generation at each save; deleting an object removes it",
          arguments: StoreBackend.available)
    func commitsAndStatus(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let revision = SourceRevision(commit: "c1", subject: "s", authorTime: Self.now)
            #expect(try await fixture.store.recordCommit(revision, valid: true, diagnostics: [], eventsIfNew: [event("Seen")], at: Self.now))
            #expect(try await !fixture.store.recordCommit(revision, valid: true, diagnostics: [], eventsIfNew: [event("Seen")], at: Self.now))
            #expect(try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: nil).map(\.reason.rawValue) == ["Seen"],
                    "the event is written once, with the commit")
            #expect(try await fixture.reader.savedStatus() == nil)
            let object = ObjectStatus(kind: .dataset, name: "tx", sync: .synced, health: .healthy, phase: .validated, message: "ok",
                                      createdAt: Self.now, dataset: .init(sha256: "ab", rows: 3, violations: []))
            let document = StatusDocument(revision: RevisionStatus(commit: "c1", appliedCommit: "c1", branch: "main"), objects: [object])
            try await fixture.store.saveStatus(document, changed: [object], removed: [])
            let first = try #require(try await fixture.reader.savedStatus())
            #expect(first.document == document)
            try await fixture.store.saveStatus(StatusDocument(revision: document.revision, objects: []), changed: [], removed: [object.key])
            let second = try #require(try await fixture.reader.savedStatus())
            #expect(second.document.objects == [])
            #expect(second.generation != first.generation)
        }
    }

    @Test("an event a newer version stored, with a reason and a kind this one does not know, loads as written; a kind filter leaves it out",
          arguments: StoreBackend.available)
    func unknownReasonLoads(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.store.record([event("DatasetValidated")])
            try await fixture.insertRawEvent(kind: "Monitor", name: "fraud", reason: "DriftDetected", message: "psi 0.31", time: Self.now)
            let events = try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: nil)
            #expect(events.map(\.reason) == [.datasetValidated, .unknown("DriftDetected")])
            #expect(events.map(\.kind) == [.dataset, .unknown("Monitor")])
            #expect(try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: .dataset).map(\.reason) == [.datasetValidated])
        }
    }

    @Test("events filter by name and kind, with a limit; the latest come newest first", arguments: StoreBackend.available)
    func eventQueries(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.store.record([event("A", name: "tx"), event("B", name: "fraud", kind: .model), event("C", name: "tx"),
                                            event("D", name: "fraud", kind: .model), event("E", name: "tx", kind: .model)])
            let reader = fixture.reader
            #expect(try await reader.events(since: 0, limit: 1000, name: "tx", kind: nil).map(\.reason.rawValue) == ["A", "C", "E"])
            #expect(try await reader.events(since: 0, limit: 1000, name: "tx", kind: .dataset).map(\.reason.rawValue) == ["A", "C"])
            #expect(try await reader.events(since: 0, limit: 2, name: nil, kind: .model).map(\.reason.rawValue) == ["B", "D"])
            #expect(try await reader.latestEvents(limit: 2, name: nil, kind: nil).map(\.reason.rawValue) == ["E", "D"])
            #expect(try await reader.latestEvents(limit: 10, name: "fraud", kind: .model).map(\.reason.rawValue) == ["D", "B"])
            let all = try await reader.events(since: 0, limit: 1000, name: nil, kind: nil)
            #expect(all.map(\.time) == Array(repeating: Self.now, count: 5))
            #expect(all.map(\.commit) == Array(repeating: "c1", count: 5))
        }
    }

    static func applied(_ kind: ManifestKind, _ name: String, _ file: String, _ line: Int) -> AppliedObject {
        AppliedObject(key: ObjectKey(kind, name), file: file, line: line)
    }

    @Test("after a sequence of applies (moved, removed, added, unchanged objects) the desired objects are one full write of the last",
          arguments: StoreBackend.available)
    func desiredObjects(_ backend: StoreBackend) async throws {
        let first = [Self.applied(.dataset, "a", "datasets/a.yaml", 1), Self.applied(.dataset, "b", "datasets/b.yaml", 1),
                     Self.applied(.model, "m", "models/m.yaml", 1)]
        let second = [Self.applied(.dataset, "a", "datasets/a.yaml", 9), Self.applied(.model, "m", "models/m.yaml", 1),
                      Self.applied(.dataset, "c", "datasets/c.yaml", 1)]
        let third = [Self.applied(.dataset, "a", "datasets/a.yaml", 9), Self.applied(.model, "m", "models/m.yaml", 1),
                     Self.applied(.dataset, "b", "datasets/all.yaml", 4)]
        func expected(_ commit: String, _ objects: [AppliedObject]) -> [[String]] {
            objects.map { [$0.key.kind.rawValue, $0.key.name, commit, $0.file, String($0.line)] }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        try await StoreFixture.with(backend) { fixture in
            for (commit, objects) in [("c1", first), ("c2", second), ("c3", second), ("c4", third), ("c5", [])] {
                try await fixture.store.apply(commit: commit, objects: objects, events: [], at: Self.now)
                #expect(try await fixture.desiredRows() == expected(commit, objects), "after \(commit)")
                #expect(try await fixture.reader.observed().appliedCommit == commit)
            }
        }
    }

    @Test("saved resource use is restored and read back; a later save replaces a revision's record", arguments: StoreBackend.available)
    func resources(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let time = Self.now
            var first = RevisionResources(key: RevisionKey("fraud", 1), updatedAt: time)
            first.record(["a": ResourceUsage(cpuSeconds: 2.5, residentBytes: 4096)], count: .init(instance: "g1", requests: 100), at: time)
            let second = RevisionResources(key: RevisionKey("fraud", 2), exitedCPUSeconds: 7, updatedAt: time)
            try await fixture.store.saveResources([first, second])
            first.record([:], count: .init(instance: "g1", requests: 150), at: time.addingTimeInterval(5))
            try await fixture.store.saveResources([first])

            let restored = try await fixture.store.restore(at: time).resources
            #expect(restored == [first.key: first, second.key: second])
            #expect(restored[first.key]?.cpuSeconds == 2.5 && restored[first.key]?.predictions == 150)
            #expect(try await fixture.reader.resources() == restored)
        }
    }

    @Test("the routing table and the gateway process round-trip, the last save winning", arguments: StoreBackend.available)
    func dataPlane(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            #expect(try await fixture.reader.routes() == nil)
            #expect(try await fixture.reader.gateway() == nil)
            let table = RoutingTable(generation: 3, models: [:])
            try await fixture.store.saveRoutes(RoutingTable(generation: 2, models: [:]))
            try await fixture.store.saveRoutes(table)
            let gateway = GatewayProcess(address: GatewayAddress(host: "127.0.0.1", port: 8080), adminEndpoint: "http://127.0.0.1:8081", log: "gateway.log",
                                         startedAt: Self.now, handle: RuntimeHandle(id: "gateway-1", data: [:]))
            try await fixture.store.saveGateway(gateway)
            #expect(try await fixture.reader.routes() == table)
            #expect(try await fixture.reader.gateway() == gateway)
            let restored = try await fixture.store.restore(at: Self.now)
            #expect(restored.routes == table)
            #expect(restored.gateway == gateway)
        }
    }

    @Test("queued decisions are taken once, oldest first, with a rollback's version", arguments: StoreBackend.available)
    func requests(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let retry = OperatorRequest(decision: .retry, model: "fraud", actor: "ana", time: Self.now)
            let rollback = OperatorRequest(decision: .rollback, model: "fraud", actor: "bo", time: Self.now + 1, version: 2)
            try await fixture.reader.queue(retry)
            try await fixture.reader.queue(rollback)
            #expect(try await fixture.store.takeRequests() == [retry, rollback])
            #expect(try await fixture.store.takeRequests() == [])
        }
    }

    @Test("a model's registry is written with its object and read whole or by model", arguments: StoreBackend.available)
    func registries(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let key = ObjectKey(.model, "fraud")
            let id = try await fixture.store.startAction(JournalEntry(action: "Train", key: key, fingerprint: "f", attempt: 1, commit: "c1", input: "{}",
                                                                      startedAt: Self.now))
            var registry = ModelRegistry(model: "fraud")
            registry.versions = [ModelVersion(number: 1, fingerprint: "f", commit: "c1", datasetSha256: "d", contractSha256: "c", trainer: "logistic-regression",
                                              modelDirectory: "models/fraud/v1", trainingRows: 80, holdoutRows: 20, createdAt: Self.now)]
            let object = ObservedObject(key: key, fingerprint: "f", updatedAt: Self.now)
            try await fixture.store.finishAction(id, JournalOutcome(state: .succeeded, output: "v1", finishedAt: Self.now), update: .model(object, registry),
                                                 events: [])
            #expect(try await fixture.reader.registries() == ["fraud": registry])
            #expect(try await fixture.reader.registry(of: "fraud") == registry)
            #expect(try await fixture.reader.registry(of: "other") == nil)
            let observed = try await fixture.reader.observed()
            #expect(observed.objects[key] == object)
            #expect(observed.registries == ["fraud": registry])
            try await fixture.store.finishAction(id, JournalOutcome(state: .succeeded, output: "gone", finishedAt: Self.now), update: .delete(key), events: [])
            #expect(try await fixture.reader.observed().objects[key] == nil)
        }
    }

    @Test("`sextant down` forgets every model's replicas and the gateway, with one event per model that had some", arguments: StoreBackend.available)
    func forgetReplicas(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let key = ObjectKey(.model, "fraud")
            let replicas = (0..<2).map {
                Replica(revision: 1, index: $0, endpoint: "http://127.0.0.1:\(9000 + $0)", log: "log", startedAt: Self.now, handle: RuntimeHandle(id: "r\($0)", data: [:]))
            }
            let object = ObservedObject(key: key, fingerprint: "f", model: ModelObservation(stableRevision: 1, replicas: replicas), updatedAt: Self.now)
            let id = try await fixture.store.startAction(JournalEntry(action: "Serve", key: key, fingerprint: "f", attempt: 1, commit: "c1", input: "{}",
                                                                      startedAt: Self.now))
            try await fixture.store.finishAction(id, JournalOutcome(state: .succeeded, output: "ok", finishedAt: Self.now), update: .upsert(object), events: [])
            try await fixture.store.saveGateway(GatewayProcess(address: GatewayAddress(host: "127.0.0.1", port: 8080), adminEndpoint: "http://127.0.0.1:8081",
                                                               log: "gateway.log", startedAt: Self.now, handle: RuntimeHandle(id: "gateway-1", data: [:])))
            try await fixture.forgetReplicas(at: Self.now, actor: "user:ana")
            #expect(try await fixture.reader.observed().objects[key]?.model?.replicas == [])
            #expect(try await fixture.reader.gateway() == nil)
            let events = try await fixture.reader.events(since: 0, limit: 1000, name: nil, kind: nil)
            #expect(events.map(\.message) == ["`sextant down` stopped 2 serving processes of r1"])
            #expect(events.map(\.actor) == ["user:ana"])
        }
    }
}
