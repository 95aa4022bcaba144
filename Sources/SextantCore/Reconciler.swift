import Foundation
package import SextantWire
package import Logging
import SextantAPI
import SextantYAML

/// One reconcile pass after another: fetch, load the head, admit it or keep the last good
/// commit, observe, plan, act (journaling every action), and save status.
///
/// Level-triggered: each pass starts from the store and the world, so a pass after a
/// crash needs no recovery path of its own.
package actor Reconciler {
    package struct Options: Sendable {
        package var prune: Bool
        package var allowEmpty: Bool
        /// Directories `uri:` data sources may read from.
        package var dataRoots: [String]
        /// How many dataset checks (and other short actions) run at once.
        package var parallelChecks: Int
        /// How many trainings run at once (`--max-parallel-training`).
        package var maxParallelTraining: Int
        /// How many rounds of actions one pass runs at most (train, then evaluate, …).
        package var maxRounds: Int
        package var actor: String
        /// How long fetches may fail before status shows the error (a remote that blinks
        /// should not page anyone); the failure is logged and recorded at once.
        package var fetchErrorGrace: Duration
        /// Where the gateway serves (nil: no data plane, as in `plan` and tests of datasets).
        package var gateway: GatewayAddress?
        /// `DATA_ROOT`: retraining tables go to `DATA_ROOT/sextant/MODEL/<sha256>.csv` (nil: no
        /// retraining with `data: feedback`).
        package var retrainingDataRoot: String?
        /// The lease term this reconciler acts in, for replicas on PostgreSQL (nil alone):
        /// its routing tables carry it, so the gateway refuses an earlier term's.
        package var epoch: Int64?

        package init(prune: Bool = true, allowEmpty: Bool = false, dataRoots: [String] = [],
                    parallelChecks: Int = ProcessInfo.processInfo.activeProcessorCount, actor: String = "sextant",
                    fetchErrorGrace: Duration = .zero, maxParallelTraining: Int = 1, maxRounds: Int = 8, gateway: GatewayAddress? = nil) {
            self.gateway = gateway
            self.maxParallelTraining = max(1, maxParallelTraining)
            self.maxRounds = max(1, maxRounds)
            self.prune = prune
            self.allowEmpty = allowEmpty
            self.dataRoots = dataRoots
            self.parallelChecks = max(1, parallelChecks)
            self.actor = actor
            self.fetchErrorGrace = fetchErrorGrace
        }
    }

    /// What one pass did and found.
    package struct PassReport: Sendable {
        /// Actions started this pass.
        package var actions: Int
        /// Actions that could not run (retried later).
        package var failures: Int
        /// What is left to do: actions for the next pass, and retries waiting for their time.
        package var remaining: Planner.Plan
        package var status: StatusDocument
        /// The source could not be fetched and no commit was ever applied.
        package var sourceUnavailable: Bool
        package var sourceError: String?
        /// How long the pass took.
        package var duration: Duration
    }

    let source: any GitSource
    let store: any StateStore
    let runtime: any Runtime
    /// Where production signals come from (the prediction log); nil: none are read.
    let signals: (any SignalSource)?
    /// Writes proposals to Git (nil: they wait, and `Propose` fails saying so).
    let proposer: (any ChangeProposer)?
    let clock: any WallClock
    let options: Options
    let logger: Logger

    var restored = false
    var desired: DesiredState?
    var observed: [ObjectKey: ObservedObject] = [:]
    var registries: [String: ModelRegistry] = [:]
    /// The data plane: the gateway process, the routing table stored last, the generation
    /// the gateway acknowledged, and what it counted at the last look.
    var gateway: GatewayProcess?
    var gatewayStarting = false
    /// Why the gateway could not be started or adopted (nil while it serves).
    var gatewayError: String?
    var routes: RoutingTable?
    var pushedGeneration: Int?
    var traffic: GatewayStatistics?
    var trafficHistory: [(at: Date, statistics: GatewayStatistics)] = []
    /// What the last probe found of each serving process.
    var replicaHealth: [Replica.ID: ReplicaHealth] = [:]
    /// Each revision's resource use, and what the store has of it.
    var resources: [RevisionKey: RevisionResources] = [:]
    /// What production said at the last read, by model.
    var productionSignals: [String: ModelSignals] = [:]
    var storedResources: [RevisionKey: RevisionResources] = [:]
    /// The head commit last loaded, valid or not.
    var loadedHead: String?
    var comparisonError: ComparisonError?
    var revision: RevisionStatus
    var previousStatus: [ObjectKey: ObjectStatus] = [:]
    private var passes = 0
    /// Whether long actions run as background jobs (set by the loop that runs them).
    var backgroundJobs = false
    /// Long actions running across passes: started by a pass, run by the loop's task.
    package nonisolated let jobs = BackgroundJobs()
    /// When fetches started failing (nil while they work).
    private var fetchFailingSince: Date?
    let metrics: any ReconcilerMetrics
    /// Whether the store takes writes (shared with the API and metrics).
    package nonisolated let storeHealth: StoreHealth
    /// Writes of what already happened, in order, until the store takes them.
    var outbox: [PendingWrite] = []
    /// The flush of the outbox under way, which concurrent writers wait for.
    var flushing: Task<Void, any Error>?
    /// Operator requests taken from the store and not yet journaled.
    var takenRequests: [OperatorRequest] = []

    package init(source: any GitSource, store: any StateStore, runtime: any Runtime, clock: any WallClock = SystemClock(),
                options: Options = Options(), metrics: any ReconcilerMetrics = NoMetrics(), storeHealth: StoreHealth = StoreHealth(),
                signals: (any SignalSource)? = nil, proposer: (any ChangeProposer)? = nil, logger: Logger = Logger(label: "sextant.reconciler")) {
        self.metrics = metrics
        self.signals = signals
        self.proposer = proposer
        self.storeHealth = storeHealth
        self.source = source
        self.store = store
        self.runtime = runtime
        self.clock = clock
        self.options = options
        self.logger = logger
        self.revision = RevisionStatus(branch: source.branch)
    }

    /// One pass. Throws only when the store fails (a `StoreWriteError`, also recorded in
    /// `storeHealth`): everything else becomes status. What already happened when a write
    /// failed (an action's outcome, events) waits in memory and is written first by the
    /// next pass. Passes never overlap: a caller that asks while one runs gets that pass's
    ///
    /// Passes run one after another (the loop, or `reconcile --once`, is the only caller),
    /// in the caller's task: cancelling it cancels the pass and the work it awaits.
    package func pass() async throws -> PassReport {
        if !restored {
            let started = ContinuousClock.now
            try await restore(clock.now())
            logger.info("state restored", metadata: ["milliseconds": "\(milliseconds(ContinuousClock.now - started))"])
        }
        let started = ContinuousClock.now
        let now = clock.now()

        var sourceUnavailable = false
        let fetchStarted = ContinuousClock.now
        let fetched = await fetch()
        let fetchDuration = ContinuousClock.now - fetchStarted
        switch fetched {
        case .success(let head):
            var events: [Event] = []
            if let since = fetchFailingSince {
                // FetchFailed was queued when fetchFailingSince was set (the outbox keeps it
                // if the store refused it), and queued writes keep their order: this never
                // reaches the store before it.
                events.append(Event(time: clock.now(), kind: .repository, name: source.branch, reason: .fetchRecovered,
                                    message: "fetching works again after failing since \(iso8601(since))", commit: head.commit, actor: options.actor))
                fetchFailingSince = nil
            }
            if let replaced = head.replaced {
                events.append(Event(time: clock.now(), kind: .repository, name: source.branch, reason: .forcePushed,
                                    message: "\(source.branch) moved from \(replaced.prefix(7)) to \(head.commit.prefix(7)), which does not contain it (a force push); following it",
                                    commit: head.commit, actor: options.actor))
                logger.warning("branch force-pushed", metadata: ["branch": "\(source.branch)", "from": "\(replaced.prefix(7))", "to": "\(head.commit.prefix(7))"])
            }
            revision.commit = head.commit
            revision.message = head.subject
            revision.fetchedAt = now
            revision.error = nil
            if !events.isEmpty { try await persist(.events(events)) }
            try await write("recording the fetch") { try await store.recordFetch(head, branch: source.branch, at: now) }
            metrics.fetched(duration: fetchDuration, failed: false)
            if head.commit != loadedHead {
                try await load(head, now: now)
            }
        case .failure(let error):
            logger.warning("fetch failed", metadata: ["branch": "\(source.branch)", "error": "\(error.message)"])
            metrics.fetched(duration: fetchDuration, failed: true)
            if fetchFailingSince == nil {
                fetchFailingSince = now
                try await persist(.events([Event(time: clock.now(), kind: .repository, name: source.branch, reason: .fetchFailed,
                                                message: error.message, commit: revision.commit, actor: options.actor)]))
            }
            // The last good snapshot keeps serving; status says why only after the grace.
            let failingFor = now.timeIntervalSince(fetchFailingSince ?? now)
            revision.error = failingFor >= options.fetchErrorGrace.seconds ? error.message : nil
            try await write("recording the fetch failure") { try await store.recordFetchFailure(error.message, branch: source.branch, at: now) }
            sourceUnavailable = desired == nil
        }

        // Taken requests have left the store: they stay here until journaled.
        takenRequests += try await write("taking operator requests") { try await store.takeRequests() }
        for request in takenRequests {
            try await applyDecision(request, commit: desired?.commit, now: now)
            logger.notice("\(request.decision.rawValue) requested", metadata: ["model": "\(request.model)", "actor": "\(request.actor)"])
        }
        if desired.map({ !$0.models.isEmpty }) == true || gateway != nil { await superviseGateway() }

        var actions = 0
        var failures = 0
        var plan = Planner.Plan()
        var state = ObservedState(objects: observed, registries: registries)
        if let desired {
            // Whether `plan` was made from what the world says after the last actions ran.
            var planIsCurrent = false
            state.dataFiles = await runtime.observeFiles(desired.localFiles)
            await readSignals(desired)
            try await monitorRetraining(desired, now: now)
            // Rounds: a model may train, be evaluated, packaged and deployed in one pass.
            for round in 0..<options.maxRounds {
                state = await observe(state)
                plan = Planner.plan(desired: desired, observed: state, now: now, options: .init(prune: options.prune))
                let runnable = plan.actions.filter { !isHeld($0) }
                if runnable.isEmpty {
                    planIsCurrent = true
                    break
                }
                if round > 0 || plan.actions.contains(where: { $0.key.kind == .model }) {
                    // Show what runs now (Training, Evaluating, …) while it runs.
                    try await save(StatusModel.compute(.init(
                        desired: desired, observed: state, revision: revision, comparisonError: comparisonError,
                        plan: plan, previous: previousStatus, prune: options.prune, now: now, running: true, gateway: gatewayStatus)))
                }
                actions += runnable.count
                failures += try await execute(runnable, planned: state, desired: desired, now: now)
            }
            if actions > 0 && !planIsCurrent {
                // What the actions of the last round changed (a no-op pass, or rounds that
                // ended with nothing left to run, already have it: probing is I/O, planning
                // 10,000 objects is not free).
                state = await observe(state)
                plan = Planner.plan(desired: desired, observed: state, now: now, options: .init(prune: options.prune))
            }
            await publishRoutes()
            try await sampleResources()
        }

        revision.reconciledAt = now
        state.objects = observed
        state.registries = registries
        state.sloSamples = sloSamples(state)
        state.resources = resources
        state.signals = productionSignals
        let status = StatusModel.compute(.init(
            desired: desired, observed: state, revision: revision, comparisonError: comparisonError,
            plan: plan, previous: previousStatus, prune: options.prune, now: now, gateway: gatewayStatus))
        try await save(status)
        try await storeWorked(at: clock.now())
        let duration = ContinuousClock.now - started
        passes += 1
        metrics.passFinished(duration: duration, actions: actions, failures: failures, status: status)
        logger.info("pass finished", metadata: [
            "pass": "\(passes)", "actions": "\(actions)", "failed": "\(failures)", "milliseconds": "\(milliseconds(duration))",
            "commit": "\(desired?.commit.prefix(7) ?? "none")",
        ])
        // What runs as a job (or waits for a training slot) is not left to do: its end wakes the loop.
        var remaining = plan
        remaining.actions.removeAll(where: isHeld)
        return PassReport(actions: actions, failures: failures, remaining: remaining, status: status,
                          sourceUnavailable: sourceUnavailable, sourceError: revision.error, duration: duration)
    }

    /// What the world says now: every serving process probed, the gateway's counters.
    func observe(_ state: ObservedState) async -> ObservedState {
        var state = state
        replicaHealth = await runtime.probeReplicas(observed.values.flatMap { $0.model?.allReplicas ?? [] })
        await observeTraffic()
        // Read after the awaits: a background job may have recorded an outcome meanwhile.
        state.objects = observed
        state.registries = registries
        state.replicas = replicaHealth
        state.traffic = traffic
        state.sloSamples = sloSamples(state)
        state.resources = resources
        state.signals = productionSignals
        return state
    }

    /// Saves a status document, writing only the objects that differ from the last saved.
    /// `previousStatus` becomes the document in place (one lookup per object, no second
    /// dictionary of 10,000 objects per save); a failed write puts back what it replaced.
    private func save(_ status: StatusDocument) async throws {
        var changed: [ObjectStatus] = []
        var replaced: [(key: ObjectKey, status: ObjectStatus?)] = []
        for object in status.objects {
            let key = object.key
            if previousStatus[key] == object { continue }
            replaced.append((key, previousStatus.updateValue(object, forKey: key)))
            changed.append(object)
        }
        var removed: [ObjectKey] = []
        if previousStatus.count != status.objects.count {
            let keys = Set(status.objects.map(\.key))
            removed = previousStatus.keys.filter { !keys.contains($0) }
            for key in removed { replaced.append((key, previousStatus.removeValue(forKey: key))) }
        }
        do {
            try await write("saving status") { try await store.saveStatus(status, changed: changed, removed: removed) }
        } catch {
            for (key, status) in replaced.reversed() { previousStatus[key] = status }
            throw error
        }
    }

    /// Journals an action before it starts: it does not start unless the journal has it.
    /// - Parameter request: the operator request it carries out, which the journal now holds.
    func journal(_ entry: JournalEntry, for request: OperatorRequest? = nil) async throws -> Int64 {
        let id = try await write("journaling \(entry.action) of \(entry.key)") { try await store.startAction(entry) }
        if let request, let index = takenRequests.firstIndex(of: request) { takenRequests.remove(at: index) }
        return id
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A duration in milliseconds with one decimal, for log lines.
func milliseconds(_ duration: Duration) -> String {
    String(format: "%.1f", duration.seconds * 1000)
}

extension DesiredState {
    /// The local files (`uri:` sources) datasets read.
    var localFiles: [String] {
        datasets.values.compactMap { if case .file(let path) = $0.data { path } else { nil } }.sorted()
    }
}
