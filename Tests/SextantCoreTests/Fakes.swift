import Foundation
import Synchronization
import SextantAPI
import SextantCore
import SextantWire
import SextantTestSupport

/// One commit whose manifests are given as files; `head` can change.
final class FakeSource: GitSource {
    let branch = "main"
    private let commits = Mutex<[String: [String: String]]>([:])
    private let headCommit = Mutex("")
    let fetches = Atomic<Int>(0)
    /// Set: fetches fail with this message.
    let fetchFailure = Mutex<String?>(nil)

    func push(_ commit: String, _ files: [String: String]) {
        commits.withLock { $0[commit] = files }
        headCommit.withLock { $0 = commit }
    }

    func fetch() async throws(SourceFailure) -> SourceRevision {
        fetches.add(1, ordering: .relaxed)
        if let message = fetchFailure.withLock({ $0 }) { throw SourceFailure(message) }
        return SourceRevision(commit: headCommit.withLock { $0 }, subject: "test", authorTime: Date(timeIntervalSince1970: 0))
    }

    func load(_ commit: String) async throws(SourceFailure) -> LoadedCommit {
        guard let files = commits.withLock({ $0[commit] }) else { throw SourceFailure("no commit \(commit)") }
        do {
            let result = try Manifests.load(files)
            return LoadedCommit(result: result, blobs: ["data/tx.csv": "blob-" + commit])
        } catch {
            throw SourceFailure("\(error)")
        }
    }
}

/// A runtime whose dataset checks fail while `failing` is set.
final class FakeRuntime: Runtime {
    let failing = Atomic<Bool>(false)
    let checks = Atomic<Int>(0)
    /// The content hash dataset checks find.
    let datasetSha256 = Mutex("abc")
    /// Set: model effects take time on this clock, as real ones do (`EffectSeconds`).
    let effectClock: ManualClock?

    /// How long each model effect takes on `effectClock`.
    enum EffectSeconds {
        static let training = 10.0, evaluation = 20.0, packaging = 5.0, startingReplicas = 3.0
    }

    init(effectClock: ManualClock? = nil) {
        self.effectClock = effectClock
    }

    func observeFiles(_ paths: [String]) async -> [String: DataFileObservation] { [:] }

    func checkDataset(_ check: DatasetCheck, at now: Date) async throws(ActionError) -> DatasetResult {
        checks.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw ActionError("disk on fire") }
        return DatasetResult(verdict: .validated, sha256: datasetSha256.withLock { $0 }, rows: 1, contract: check.contract, checks: 1, violations: [],
                             commit: check.commit, checkedAt: now)
    }

    /// What the fake model runtime did, and what it answers.
    struct Models {
        var trainings: [String] = []
        var evaluations: [String] = []
        /// The AUC the next evaluations measure.
        var auc = 0.95
        /// When set, trainings fail with this reason (the trainer's own failure).
        var trainingFailure: String?
        /// While set, trainings wait (a long training); a cancelled one throws.
        var holdTraining = false
        /// While set, probing replicas waits (a slow probe: the pass is suspended mid-observation).
        var holdProbes = false
        var nextPid: Int32 = 1000
        var running: Set<Replica.ID> = []
        /// What running replicas use, as the test sets it; nil: the runtime cannot tell.
        var usage: [Replica.ID: ResourceUsage]?
    }

    let models = Mutex(Models())

    func train(_ job: TrainingJob, version: Int) async throws(ActionError) -> TrainingOutput {
        let failure: String? = models.withLock {
            $0.trainings.append(job.fingerprint)
            return $0.trainingFailure
        }
        if let failure { throw ActionError("the trainer exited with status 1", reason: failure) }
        while models.withLock({ $0.holdTraining }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        if Task.isCancelled { throw ActionError("the training was cancelled") }
        effectClock?.advance(EffectSeconds.training)
        return TrainingOutput(modelDirectory: "models/\(job.model)/v\(version)", trainingRows: 8, holdoutRows: 2)
    }

    func evaluate(_ job: EvaluationJob, at now: Date) async throws(ActionError) -> Evaluation {
        let auc = models.withLock {
            $0.evaluations.append(job.fingerprint)
            return $0.auc
        }
        let gates = job.gates.map { GateResult(metric: $0.metric.rawValue, value: auc, min: $0.min, max: $0.max, passed: auc >= ($0.min ?? 0)) }
        effectClock?.advance(EffectSeconds.evaluation)
        return Evaluation(fingerprint: job.fingerprint, metrics: ["auc": auc], gates: gates, incumbent: nil, holdoutRows: 2, seconds: 0.01,
                          evaluatedAt: effectClock?.now() ?? now)
    }

    func package(_ job: PackageJob) async throws(ActionError) -> String {
        effectClock?.advance(EffectSeconds.packaging)
        return "sha256:" + job.version.fingerprint
    }

    func startReplicas(_ launch: ServingLaunch, workspace: Workspace?, indices: [Int], at now: Date) async throws(ActionError) -> [Replica] {
        effectClock?.advance(EffectSeconds.startingReplicas)
        return models.withLock { models in
            indices.map { index in
                models.nextPid += 1
                let replica = Replica.fake(revision: launch.revision, index: index, id: "\(models.nextPid)", port: 9000 + Int(models.nextPid), startedAt: now)
                models.running.insert(replica.id)
                return replica
            }
        }
    }

    func stopReplicas(_ replicas: [Replica]) async {
        models.withLock { models in for replica in replicas { models.running.remove(replica.id) } }
    }

    func probeReplicas(_ replicas: [Replica]) async -> [Replica.ID: ReplicaHealth] {
        while models.withLock({ $0.holdProbes }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        return models.withLock { models in
            Dictionary(uniqueKeysWithValues: replicas.map { ($0.id, models.running.contains($0.id) ? ReplicaHealth.ready : .exited("killed")) })
        }
    }

    func exitedReplicas(_ replicas: [Replica]) async -> Set<Replica.ID> {
        models.withLock { models in Set(replicas.map(\.id).filter { !models.running.contains($0) }) }
    }

    func resourceUsage(_ replicas: [Replica]) async -> [Replica.ID: ResourceUsage]? {
        models.withLock { models in
            models.usage.map { usage in usage.filter { id, _ in models.running.contains(id) && replicas.contains { $0.id == id } } }
        }
    }

    func reapOrphans(keeping replicas: [Replica], gateway: GatewayProcess?) async {}

    /// The fake data plane: the gateway's counters as the test sets them, and every
    /// routing table pushed.
    struct DataPlane {
        var gatewayStarts = 0
        var alive = true
        var traffic: GatewayStatistics? = GatewayStatistics(instance: "g1", generation: 0, revisions: [])
        var pushed: [RoutingTable] = []
        /// While set, the gateway cannot start (a taken port, a crash at start).
        var startFailure: String?
    }

    let dataPlane = Mutex(DataPlane())

    func ensureGateway(_ known: GatewayProcess?, address: GatewayAddress, at now: Date) async throws(ActionError) -> GatewayProcess {
        let started: GatewayProcess? = dataPlane.withLock { plane in
            if let known, plane.alive { return known }
            if plane.startFailure != nil { return nil }
            plane.gatewayStarts += 1
            plane.alive = true
            return GatewayProcess(address: address, adminEndpoint: "http://127.0.0.1:1", log: "gateway.log", startedAt: now,
                                  handle: RuntimeHandle(id: "gateway-\(plane.gatewayStarts)", data: [:]))
        }
        guard let started else { throw ActionError(dataPlane.withLock { $0.startFailure ?? "" }) }
        return started
    }

    func gatewayIsAlive(_ gateway: GatewayProcess) async -> Bool { dataPlane.withLock { $0.alive } }

    func pushRoutes(_ table: RoutingTable, to gateway: GatewayProcess) async throws(ActionError) {
        dataPlane.withLock {
            $0.pushed.append(table)
            $0.traffic?.generation = table.generation
        }
    }

    func gatewayStatistics(_ gateway: GatewayProcess) async -> GatewayStatistics? { dataPlane.withLock { $0.traffic } }

    /// What the fake retraining runtime was asked, and what it answers.
    struct Retraining {
        var tables: [RetrainingTableRequest] = []
        /// Set: tables break the contract with these violations.
        var violations: [String]?
        var recency: [RecencyEvaluationJob] = []
        /// The metrics on the recency holdout: the candidate's, and the serving revision's.
        var candidateAUC = 0.95
        var servingAUC = 0.90
    }

    let retraining = Mutex(Retraining())

    func buildRetrainingTable(_ request: RetrainingTableRequest) async throws(ActionError) -> RetrainingTableResult {
        retraining.withLock { retraining in
            retraining.tables.append(request)
            if let violations = retraining.violations { return .blocked(violations) }
            let bytes = Array("amount,label\n1,true\n".utf8) + request.rows.flatMap { row in Array("\(row.features[0]),\(row.truth)\n".utf8) }
            let sha256 = Fingerprint.sha256(bytes)
            return .built(RetrainingTable(path: "\(request.dataRoot)/sextant/\(request.model)/\(sha256).csv", sha256: sha256, datasetRows: 1,
                                          addedRows: request.rows.count, checks: 3, bytes: bytes))
        }
    }

    func evaluateRecency(_ job: RecencyEvaluationJob, at now: Date) async throws(ActionError) -> RecencyComparison {
        retraining.withLock { retraining in
            retraining.recency.append(job)
            return RecencyComparison(candidate: ["auc": retraining.candidateAUC], serving: ["auc": retraining.servingAUC], rows: job.rows.count)
        }
    }
}

/// Production signals as a test sets them: online metrics and labelled rows per model.
final class FakeSignals: SignalSource {
    struct Model {
        var online: [OnlineRevision] = []
        var rows: [LabelledRow] = []
    }

    let models = Mutex<[String: Model]>([:])

    func observe(_ queries: [SignalQuery]) async -> [String: ModelSignals] {
        models.withLock { models in
            Dictionary(uniqueKeysWithValues: queries.compactMap { query in models[query.model].map { (query.model, ModelSignals(online: $0.online)) } })
        }
    }

    func labelledRows(_ query: SignalQuery) async -> [LabelledRow] {
        models.withLock { $0[query.model]?.rows ?? [] }
    }
}

/// A change proposer that keeps what it was given.
final class FakeProposer: ChangeProposer {
    let proposed = Mutex<[ProposedChange]>([])
    /// How many of the next pushes the remote refuses.
    let refusals = Mutex(0)

    func propose(_ change: ProposedChange) async throws(ActionError) -> PullRequestRecord {
        let refused = refusals.withLock { refusals in
            defer { refusals = max(0, refusals - 1) }
            return refusals > 0
        }
        if refused { throw ActionError("push to \(change.branch) on origin: the remote refused the update: pre-receive hook declined") }
        let count = proposed.withLock {
            $0.append(change)
            return $0.count
        }
        return PullRequestRecord(purpose: change.purpose, branch: change.branch, headCommit: "feed\(count)000", url: "https://forge.example/pulls/\(count)",
                                 number: count, state: .open, updatedAt: change.requestedAt)
    }
}

/// The store in memory, with the journal and events kept for inspection. Writes fail on
/// demand, as a full disk makes them: `failing` holds the names of the methods that throw
/// (`"*"` for every write; `finishAction:Train` for the end of one kind of action).
final class MemoryStore: StateStore {
    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "database or disk is full" }
    }

    let failing = Mutex<Set<String>>([])

    private func check(_ write: String) throws {
        let failing = failing.withLock { $0 }
        if failing.contains("*") || failing.contains(write) { throw DiskFull() }
    }

    struct Data {
        var applied: String?
        var objects: [ObjectKey: ObservedObject] = [:]
        var registries: [String: ModelRegistry] = [:]
        var requests: [OperatorRequest] = []
        var status: StatusDocument?
        /// The status objects as the saves' `changed` and `removed` left them (rows, as the
        /// SQLite store writes them).
        var statusRows: [ObjectKey: ObjectStatus] = [:]
        var journal: [(entry: JournalEntry, outcome: JournalOutcome?)] = []
        var events: [Event] = []
        var commits: Set<String> = []
        var gateway: GatewayProcess?
        var routes: RoutingTable?
        var resources: [RevisionKey: RevisionResources] = [:]
    }

    let data = Mutex(Data())

    func restore(at now: Date) async throws -> StoredState {
        try check("restore")
        return data.withLock { StoredState(appliedCommit: $0.applied, objects: $0.objects, registries: $0.registries, status: $0.status,
                                    gateway: $0.gateway, routes: $0.routes, resources: $0.resources) }
    }

    func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws { try check("recordFetch") }
    func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws { try check("recordFetchFailure") }

    func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool {
        try check("recordCommit")
        return data.withLock {
            let isNew = $0.commits.insert(revision.commit).inserted
            if isNew { $0.events += eventsIfNew }
            return isNew
        }
    }

    func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws {
        try check("apply")
        data.withLock {
            $0.applied = commit
            $0.events += events
        }
    }

    func startAction(_ entry: JournalEntry) async throws -> Int64 {
        try check("startAction")
        return data.withLock {
            $0.journal.append((entry, nil))
            return Int64($0.journal.count)
        }
    }

    func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws {
        try check("finishAction")
        try check("finishAction:" + data.withLock { $0.journal[Int(id) - 1].entry.action })
        data.withLock {
            $0.journal[Int(id) - 1].outcome = outcome
            switch update {
            case .upsert(let object): $0.objects[object.key] = object
            case .model(let object, let registry):
                $0.objects[object.key] = object
                $0.registries[registry.model] = registry
            case .delete(let key): $0.objects[key] = nil
            }
            $0.events += events
        }
    }

    func record(_ events: [Event]) async throws {
        try check("record")
        data.withLock { $0.events += events }
    }

    func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws {
        try check("saveStatus")
        data.withLock {
            $0.status = document
            for object in changed { $0.statusRows[object.key] = object }
            for key in removed { $0.statusRows[key] = nil }
        }
    }

    func saveGateway(_ gateway: GatewayProcess) async throws {
        try check("saveGateway")
        data.withLock { $0.gateway = gateway }
    }

    func saveRoutes(_ table: RoutingTable) async throws {
        try check("saveRoutes")
        data.withLock { $0.routes = table }
    }

    func saveResources(_ resources: [RevisionResources]) async throws {
        try check("saveResources")
        data.withLock { data in for record in resources { data.resources[record.key] = record } }
    }

    func takeRequests() async throws -> [OperatorRequest] {
        try check("takeRequests")
        return data.withLock { data in
            defer { data.requests = [] }
            return data.requests
        }
    }
}

extension Replica {
    /// A replica of the fake runtime: its handle is an id, its endpoint on loopback.
    static func fake(revision: Int, index: Int, id: String, port: Int, log: String = "log", startedAt: Date) -> Replica {
        Replica(revision: revision, index: index, endpoint: "http://127.0.0.1:\(port)", log: log, startedAt: startedAt, handle: RuntimeHandle(id: id, data: [:]))
    }
}
