package import Foundation
package import SextantAPI
package import SextantWire

/// The followed branch of a Git repository.
package protocol GitSource: Sendable {
    var branch: String { get }
    /// The watched root inside the repository ("" for all of it): where proposals' paths start.
    var root: String { get }
    /// Whether `head` is `commit` or descends from it (a branch Sextant wrote was merged).
    func contains(_ commit: String, in head: String) async -> Bool
    /// Fetches the branch and returns its head.
    func fetch() async throws(SourceFailure) -> SourceRevision
    /// Loads and validates the manifests of a commit's watched root.
    func load(_ commit: String) async throws(SourceFailure) -> LoadedCommit
}

extension GitSource {
    package var root: String { "" }
    package func contains(_ commit: String, in head: String) async -> Bool { false }
}

/// A commit's manifests, and the blob id of each data file its datasets read.
package struct LoadedCommit: Sendable {
    package var result: ManifestLoader.Result
    package var blobs: [String: String]

    package init(result: ManifestLoader.Result, blobs: [String: String]) {
        self.result = result
        self.blobs = blobs
    }
}

/// What acts on the world: checks data now; trains, serves and routes in later versions.
package protocol Runtime: Sendable {
    /// Hashes local data files (`uri:` sources), so a changed file is noticed.
    func observeFiles(_ paths: [String]) async -> [String: DataFileObservation]
    /// Reads a dataset's data and checks it against its contract. Bad data is a verdict;
    /// a throw means the check could not run and is retried.
    func checkDataset(_ check: DatasetCheck, at now: Date) async throws(ActionError) -> DatasetResult
    /// Trains version `version`: its files end up under the returned model directory.
    func train(_ job: TrainingJob, version: Int) async throws(ActionError) -> TrainingOutput
    /// Starts the revision privately, sends it the holdout, and judges the answers (and
    /// the incumbent's, on the same rows).
    func evaluate(_ job: EvaluationJob, at now: Date) async throws(ActionError) -> Evaluation
    /// Writes the version as a ModelPack artifact; returns its manifest digest.
    func package(_ job: PackageJob) async throws(ActionError) -> String
    /// Starts replicas of a revision (detached) and waits until each is ready.
    func startReplicas(_ launch: ServingLaunch, workspace: Workspace?, indices: [Int], at now: Date) async throws(ActionError) -> [Replica]
    /// Stops replicas, and whatever each one started: gracefully, then by force after a
    /// grace period.
    func stopReplicas(_ replicas: [Replica]) async
    /// Whether each replica still runs (the very one started) and is ready, by id.
    func probeReplicas(_ replicas: [Replica]) async -> [Replica.ID: ReplicaHealth]
    /// The replicas that are gone, by id: a cheap look (no request) made often, so a
    /// crashed server is replaced at once rather than at the next interval. What a gone
    /// replica started is stopped.
    func exitedReplicas(_ replicas: [Replica]) async -> Set<Replica.ID>
    /// What each replica uses now — CPU seconds and resident memory of its process and of
    /// everything it started — by id; a replica that is gone has no entry. Nil when this
    /// runtime cannot tell. Cheap (no request): called once per pass.
    func resourceUsage(_ replicas: [Replica]) async -> [Replica.ID: ResourceUsage]?
    /// After a restart: stops every process this runtime started that the store does not
    /// know (a trainer, an evaluation server or a replica a crash left behind), and adopts
    /// the known replicas that still run.
    func reapOrphans(keeping replicas: [Replica], gateway: GatewayProcess?) async

    /// Adopts `known` when it still runs on `address` and answers; otherwise stops it and
    /// starts a gateway there, which loads the stored routing table.
    func ensureGateway(_ known: GatewayProcess?, address: GatewayAddress, at now: Date) async throws(ActionError) -> GatewayProcess
    /// Whether the gateway still runs (the very one started).
    func gatewayIsAlive(_ gateway: GatewayProcess) async -> Bool
    /// Sends a routing table to the gateway's admin endpoint.
    func pushRoutes(_ table: RoutingTable, to gateway: GatewayProcess) async throws(ActionError)
    /// The gateway's per-revision counters; nil when it does not answer.
    func gatewayStatistics(_ gateway: GatewayProcess) async -> GatewayStatistics?

    /// Builds a retraining's table (DESIGN §7): the dataset's rows plus labelled production
    /// rows, typed by the contract and checked against it, written content-addressed.
    func buildRetrainingTable(_ request: RetrainingTableRequest) async throws(ActionError) -> RetrainingTableResult
    /// Judges a retraining candidate and the serving revision on the recency holdout.
    func evaluateRecency(_ job: RecencyEvaluationJob, at now: Date) async throws(ActionError) -> RecencyComparison
}

/// An action that could not run, or failed.
package struct ActionError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    /// Set when the repository's own code or data failed (a trainer's exit status, a
    /// server that never gets ready, a constant target): the same fingerprint would fail
    /// again, so it is not retried until Git changes it or `sextant retry`. Nil for
    /// failures of the machine, retried with backoff.
    package var reason: String?

    package init(_ message: String, reason: String? = nil) {
        self.message = message
        self.reason = reason
    }

    package var description: String { message }
}

/// The time, and waiting for it, as a side effect: every wait of the reconciler and the
/// runtime (intervals, backoffs, polling, deadlines, grace periods) is on this clock, so
/// tests drive time instead of waiting for it.
package protocol WallClock: Sendable {
    func now() -> Date
    /// Returns once `duration` has passed on this clock; throws `CancellationError` as soon
    /// as the task is cancelled.
    func sleep(for duration: Duration) async throws
}

extension WallClock {
    /// The time `duration` from now on this clock: a deadline.
    package func deadline(after duration: Duration) -> Date {
        now().addingTimeInterval(duration.seconds)
    }
}

package struct SystemClock: WallClock {
    package init() {}

    package func now() -> Date { Date() }

    package func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// The store of everything the reconciler observed and did.
package protocol StateStore: Sendable {
    /// What a restarted reconciler starts from. Actions left `started` by a crash are
    /// marked failed first, and their objects wait a backoff before the next attempt (an
    /// action that kills the process must not kill it again at once), with an event.
    func restore(at now: Date) async throws -> StoredState
    func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws
    func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws
    /// Records a commit as seen, and `eventsIfNew` with it when it was not seen before
    /// (one transaction); returns false when it was seen before.
    @discardableResult
    func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool
    /// Records a commit's desired objects as applied.
    func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws
    func startAction(_ entry: JournalEntry) async throws -> Int64
    func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws
    func record(_ events: [Event]) async throws
    /// Saves status: the revision, and the objects that changed.
    func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws
    /// Takes the operator requests (`sextant retry`) not yet handled, removing them.
    func takeRequests() async throws -> [OperatorRequest]
    /// Records the gateway process (for adoption after a restart).
    func saveGateway(_ gateway: GatewayProcess) async throws
    /// Stores the routing table: what a (re)started gateway loads.
    func saveRoutes(_ table: RoutingTable) async throws
    /// Stores revisions' resource use (the ones that changed): what `history` shows, and
    /// what a restarted reconciler adds to.
    func saveResources(_ resources: [RevisionResources]) async throws
}

/// What the API, the dashboard and the commands read: the state the leader wrote. Every
/// replica reads, leader or follower; nothing here writes.
package protocol StateReader: Sendable {
    /// The status last saved, numbered: the number changes when it is saved again.
    func savedStatus() async throws -> SavedStatus?
    /// Events with an id above `since`, oldest first; only those of objects named `name`
    /// and of `kind` when given.
    func events(since: Int64, limit: Int, name: String?, kind: EventKind?) async throws -> [Event]
    /// The newest `limit` events, newest first; filtered as `events`.
    func latestEvents(limit: Int, name: String?, kind: EventKind?) async throws -> [Event]
    /// Every model's registry (`history`).
    func registries() async throws -> [String: ModelRegistry]
    /// One model's registry, read without the others'; nil when it has no version.
    func registry(of model: String) async throws -> ModelRegistry?
    /// Every revision's resource use so far.
    func resources() async throws -> [RevisionKey: RevisionResources]
    /// The applied commit and what finished actions found (`plan`).
    func observed() async throws -> StoredObservations
    /// The routing table a (re)started gateway loads.
    func routes() async throws -> RoutingTable?
    /// The gateway process last recorded.
    func gateway() async throws -> GatewayProcess?
    /// Every journaled action, oldest first: for tests and tooling.
    func journal() async throws -> [JournalRow]
}

/// Decisions of people, queued for the leader's next pass. Any replica may queue: the
/// queue is input, not the leader's state, so it is not fenced.
package protocol OperatorQueue: Sendable {
    func queue(_ request: OperatorRequest) async throws
}

/// The applied commit and what finished actions found, read without writing.
package struct StoredObservations: Sendable {
    package var appliedCommit: String?
    package var objects: [ObjectKey: ObservedObject]
    package var registries: [String: ModelRegistry]

    package init(appliedCommit: String?, objects: [ObjectKey: ObservedObject], registries: [String: ModelRegistry]) {
        self.appliedCommit = appliedCommit
        self.objects = objects
        self.registries = registries
    }
}

/// A saved status and which save it was.
package struct SavedStatus: Sendable {
    package var generation: UInt64
    package var document: StatusDocument

    package init(generation: UInt64, document: StatusDocument) {
        self.generation = generation
        self.document = document
    }
}

/// A journaled action, for tests and tooling.
package struct JournalRow: Sendable, Hashable {
    package var id: Int64
    package var action: String
    package var kind: String
    package var name: String
    package var fingerprint: String
    package var attempt: Int
    package var state: String
    package var output: String?

    package init(id: Int64, action: String, kind: String, name: String, fingerprint: String, attempt: Int, state: String, output: String?) {
        self.id = id
        self.action = action
        self.kind = kind
        self.name = name
        self.fingerprint = fingerprint
        self.attempt = attempt
        self.state = state
        self.output = output
    }
}

/// A decision of a person, queued for the reconciler (`sextant retry|promote|abort MODEL`).
package struct OperatorRequest: Sendable, Hashable {
    package var decision: OperatorDecision
    package var model: String
    package var actor: String
    package var time: Date
    /// `rollback --to vN`: the version to bring back (nil: the previous stable one).
    package var version: Int?

    package init(decision: OperatorDecision, model: String, actor: String, time: Date, version: Int? = nil) {
        self.decision = decision
        self.model = model
        self.actor = actor
        self.time = time
        self.version = version
    }
}

/// What a store restores.
package struct StoredState: Sendable {
    package var appliedCommit: String?
    package var objects: [ObjectKey: ObservedObject]
    package var registries: [String: ModelRegistry]
    package var status: StatusDocument?
    package var gateway: GatewayProcess?
    package var routes: RoutingTable?
    /// Every revision's resource use so far.
    package var resources: [RevisionKey: RevisionResources]

    package init(appliedCommit: String?, objects: [ObjectKey: ObservedObject], registries: [String: ModelRegistry] = [:], status: StatusDocument?,
                gateway: GatewayProcess? = nil, routes: RoutingTable? = nil, resources: [RevisionKey: RevisionResources] = [:]) {
        self.appliedCommit = appliedCommit
        self.objects = objects
        self.registries = registries
        self.status = status
        self.gateway = gateway
        self.routes = routes
        self.resources = resources
    }
}

/// An object of an applied commit, where it was defined.
package struct AppliedObject: Sendable, Hashable {
    package var key: ObjectKey
    package var file: String
    package var line: Int

    package init(key: ObjectKey, file: String, line: Int) {
        self.key = key
        self.file = file
        self.line = line
    }
}

/// An action as the journal records it when it starts.
package struct JournalEntry: Sendable, Hashable {
    package var action: String
    package var key: ObjectKey
    package var fingerprint: String
    package var attempt: Int
    package var commit: String?
    package var input: String
    package var startedAt: Date

    package init(action: String, key: ObjectKey, fingerprint: String, attempt: Int, commit: String?, input: String, startedAt: Date) {
        self.action = action
        self.key = key
        self.fingerprint = fingerprint
        self.attempt = attempt
        self.commit = commit
        self.input = input
        self.startedAt = startedAt
    }
}

package struct JournalOutcome: Sendable, Hashable {
    package enum State: String, Sendable, Hashable {
        case succeeded, failed
    }

    package var state: State
    package var output: String
    package var finishedAt: Date

    package init(state: State, output: String, finishedAt: Date) {
        self.state = state
        self.output = output
        self.finishedAt = finishedAt
    }
}

/// How an action's end changes the observed objects.
package enum ObjectUpdate: Sendable, Hashable {
    case upsert(ObservedObject)
    /// A model's object and its whole registry.
    case model(ObservedObject, ModelRegistry)
    case delete(ObjectKey)
}

/// What the reconciler reports to a metrics system (Prometheus in the daemon).
package protocol ReconcilerMetrics: Sendable {
    func passFinished(duration: Duration, actions: Int, failures: Int, status: StatusDocument)
    func fetched(duration: Duration, failed: Bool)
    func actionFinished(_ action: String, succeeded: Bool)
}

/// Metrics nobody reads (`reconcile --once`, tests).
package struct NoMetrics: ReconcilerMetrics {
    package init() {}
    package func passFinished(duration: Duration, actions: Int, failures: Int, status: StatusDocument) {}
    package func fetched(duration: Duration, failed: Bool) {}
    package func actionFinished(_ action: String, succeeded: Bool) {}
}
