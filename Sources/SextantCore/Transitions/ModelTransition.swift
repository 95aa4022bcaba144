package import Foundation
import SextantAPI
package import SextantWire

/// What an outcome means for a model (DESIGN §1 "Transitions and effects"): a pure function
/// from the model's observation and registry, an outcome and the time, to the new
/// observation and registry, the events that record it and the effects to perform after.
/// No I/O, no clock: the reconciler records the result, then performs the effects.
package enum ModelTransition {
    /// What a transition reads besides the model's own state.
    package struct Context: Sendable {
        package var model: String
        /// The commit whose manifests the action came from (nil for a person's decision
        /// before any commit was applied).
        package var commit: String?
        /// Who the events name: `sextant`, or the person behind a decision.
        package var actor: String
        /// The model's rollout policy, resolved against the applied commit.
        package var policy: ResolvedPolicy?
        /// The gateway's counters now: where a new rollout's sample window begins.
        package var traffic: GatewayStatistics?
        /// When the outcome arrived.
        package var now: Date

        package init(model: String, commit: String?, actor: String, policy: ResolvedPolicy?, traffic: GatewayStatistics?, now: Date) {
            self.model = model
            self.commit = commit
            self.actor = actor
            self.policy = policy
            self.traffic = traffic
            self.now = now
        }
    }

    /// The new state, its record and what to do next.
    package struct Result: Sendable, Hashable {
        package var object: ObservedObject
        package var registry: ModelRegistry
        package var events: [Event]
        package var effects: [ModelEffect]
        /// Whether the action succeeded, and what the journal records as its output.
        package var succeeded: Bool
        package var output: String
    }

    /// Applies `outcome` to a model's object (its `model` observation) and registry.
    package static func apply(_ outcome: ModelOutcome, to object: ObservedObject, registry: ModelRegistry, context: Context) -> Result {
        var change = Change(object: object, registry: registry, context: context)
        switch outcome {
        case .trained(let job, let version, let output, let seconds): change.trained(job, version: version, output, seconds: seconds)
        case .evaluated(let job, let evaluation): change.evaluated(job, evaluation)
        case .packaged(let job, let digest): change.packaged(job, digest: digest)
        case .served(let job, let started): change.served(job, started: started)
        case .rolloutChanged(let revision, let rolloutChange): change.rollout(rolloutChange, revision: revision)
        case .retired(let retiring): change.retired(retiring)
        case .servingStopped(let replicas): change.stopped(replicas)
        case .failed(let action, let error, let attempt): change.failed(action, error, attempt: attempt)
        case .cancelled(let action): change.cancelled(action)
        case .decided(let decision, let actor): change.decided(decision, actor: actor)
        case .proposalQueued(let proposal, let actor): change.queued(proposal, actor: actor)
        case .proposed(let proposal, let record): change.proposed(proposal, record)
        case .branchMerged(let record, let commit): change.merged(record, into: commit)
        case .driftJudged(let report): change.driftJudged(report)
        }
        // An action that succeeded ends the backoff of its fingerprint.
        if change.succeeded, let action = outcome.action(model: context.model), change.object.failure?.fingerprint == action.fingerprint {
            change.object.failure = nil
        }
        change.object.model = change.state
        change.object.updatedAt = context.now
        let effects = change.effects.filter { effect in
            switch effect {
            case .publishRoutes: true
            case .stopWhenDrained(_, let replicas), .stopReplicas(let replicas): !replicas.isEmpty
            }
        }
        return Result(object: change.object, registry: change.registry, events: change.events, effects: effects,
                      succeeded: change.succeeded, output: change.output)
    }

    /// One crash more of a revision's servers: the next restart waits 5 s, 10 s, 20 s, …; a
    /// replica that lived longer than a minute starts the count again.
    package static func crashed(after crashes: Int, lived: TimeInterval, at now: Date) -> (crashes: Int, nextRestartAt: Date) {
        let count = lived > 60 ? 1 : crashes + 1
        return (count, now.addingTimeInterval(Backoff.delay(afterAttempts: count)))
    }
}

/// A transition under way: the state it changes and what it collects.
struct Change {
    var object: ObservedObject
    var state: ModelObservation
    var registry: ModelRegistry
    let context: ModelTransition.Context
    var events: [Event] = []
    var effects: [ModelEffect] = []
    var succeeded = true
    var output = ""

    init(object: ObservedObject, registry: ModelRegistry, context: ModelTransition.Context) {
        self.object = object
        self.state = object.model ?? ModelObservation()
        self.registry = registry
        self.context = context
    }

    var now: Date { context.now }
    var name: String { context.model }

    mutating func event(_ reason: EventReason, _ message: String, actor: String? = nil) {
        events.append(Event(time: now, kind: .model, name: name, reason: reason, message: message, commit: context.commit, actor: actor ?? context.actor))
    }

    /// `; rN keeps serving`, when a revision serves.
    var stableKeepsServing: String { state.stableRevision.map { "; r\($0) keeps serving" } ?? "" }

    // MARK: - Training, evaluation, packaging

    mutating func trained(_ job: TrainingJob, version number: Int, _ trained: TrainingOutput, seconds: Double) {
        registry.versions.append(ModelVersion(
            number: number, fingerprint: job.fingerprint, commit: job.commit, datasetSha256: job.data.sha256,
            contractSha256: job.contractSha256, trainer: job.trainerName, modelDirectory: trained.modelDirectory,
            trainingRows: trained.trainingRows, holdoutRows: trained.holdoutRows, features: job.data.features,
            classes: job.data.task.isClassification ? trained.classes : nil, task: job.data.task, createdAt: now))
        if state.stall?.fingerprint == job.fingerprint { state.stall = nil }
        output = "v\(number) in \(trained.modelDirectory)"
        event(.trained, "v\(number) trained by \(job.trainerName) on \(trained.trainingRows) rows (\(trained.holdoutRows) held out) in "
              + String(format: "%.2f s", seconds) + "; training fingerprint \(job.fingerprint.prefix(12))")
    }

    mutating func evaluated(_ job: EvaluationJob, _ evaluation: Evaluation) {
        if let index = registry.revisions.firstIndex(where: { $0.number == job.revision }) {
            registry.revisions[index].evaluation = evaluation
        } else {
            registry.revisions.append(ModelRevision(
                number: job.revision, version: job.version.number, servingFingerprint: job.servingFingerprint, commit: job.commit,
                servingLaunch: job.launch, evaluation: evaluation, createdAt: now))
        }
        if state.stall?.fingerprint == job.fingerprint { state.stall = nil }
        let shown = evaluation.metrics.keys.sorted().prefix(6).map { "\($0) \(formatMetric(evaluation.metrics[$0]!))" }.joined(separator: ", ")
        // Start-up apart from inference: a server that takes seconds to load does not make
        // its rows/s look slow.
        let rate = evaluation.seconds > 0 ? ", \(Int(Double(evaluation.holdoutRows) / evaluation.seconds)) rows/s" : ""
        let timing = (evaluation.startupSeconds.map { "ready in \(String(format: "%.1f", $0)) s; " } ?? "")
            + "inference \(String(format: "%.2f", evaluation.seconds)) s\(rate)"
        if evaluation.passed {
            output = "passed"
            event(.evaluated, "r\(job.revision) (v\(job.version.number)) answered \(evaluation.holdoutRows) holdout rows through its server (\(timing)): \(shown); every gate passed"
                  + (evaluation.incumbent.map { "; incumbent: \($0.summary)" } ?? (job.incumbent == nil ? "; no incumbent" : ""))
                  + (evaluation.explanations.map { explanations in
                      "; explained in \(String(format: "%.2f", evaluation.explanationSeconds ?? 0)) s, most important (\(explanations.metric) drop when permuted): \(explanations.summary())" }
                     ?? evaluation.explanationFailure.map { "; no explanations: \($0)" } ?? ""))
        } else {
            output = evaluation.failures.joined(separator: "\n")
            event(.gateFailed, "r\(job.revision) (v\(job.version.number)) fails: \(evaluation.failures.joined(separator: "; "))" + stableKeepsServing)
        }
    }

    mutating func packaged(_ job: PackageJob, digest: String) {
        if let index = registry.versions.firstIndex(where: { $0.number == job.version.number }) {
            registry.versions[index].artifactDigest = digest
        }
        output = digest
        event(.packaged, "v\(job.version.number) packaged as ModelPack artifact \(name)-v\(job.version.number) (\(digest.prefix(19))…)")
    }

    // MARK: - Failures

    mutating func failed(_ action: Action, _ error: ActionError, attempt: Int) {
        if case .propose(let proposal) = action, error.reason != nil { return rejected(proposal, error) }
        succeeded = false
        output = error.message
        let deploying: Bool = if case .serve(let job) = action { job.launch.revision != state.stableRevision } else { false }
        let maintaining: Bool = if case .serve = action { !deploying } else { false }
        let phase: StallPhase? = switch action {
        case .train: .trainingFailed
        case .evaluate: .gateFailed
        case .serve where deploying: .rolloutAborted
        default: nil
        }
        if maintaining, case .serve(let job) = action {
            // The replicas that died count as a crash before the restart that failed.
            countDeadStableReplicas(job)
            // A restart of what serves failed: crash-loop backoff (counted once).
            if (state.nextRestartAt ?? .distantPast) <= now { countStableCrash(lived: 0) }
            event(.restartFailed, "\(error.message); next attempt in \(Int(Backoff.delay(afterAttempts: state.crashes))) s")
        } else if let reason = error.reason, let phase {
            if case .serve(let job) = action, job.role == .candidate, let rollout = state.rollout, rollout.revision == job.launch.revision {
                // The candidate cannot be brought back: its canary ends.
                state.rollout = nil
                registry.withdraw(rollout.revision, at: now)
                effects += [.publishRoutes, .stopReplicas(rollout.replicas)]
            }
            // The repository's own failure: stop on this fingerprint.
            let fingerprint = if case .serve(let job) = action { Planner.servingKey(job.launch.revision) } else { action.fingerprint }
            state.stall = ModelStall(phase: phase, fingerprint: fingerprint, reason: reason, message: error.message, at: now)
            event(EventReason(phase), error.message + stableKeepsServing + "; not retried until Git changes or `sextant retry \(name)`")
            if object.failure?.fingerprint == action.fingerprint { object.failure = nil }
        } else {
            // A failure of the machine: retried with backoff, counted from when it failed.
            let delay = Backoff.delay(afterAttempts: attempt)
            object.failure = ActionFailure(fingerprint: action.fingerprint, attempts: attempt, message: error.message,
                                           nextAttemptAt: now.addingTimeInterval(delay))
            event(.failed(action), "\(error.message); retrying in \(Int(delay)) s (attempt \(attempt))")
        }
    }

    mutating func cancelled(_ action: Action) {
        succeeded = false
        output = "cancelled: the daemon stopped before it ended"
        event(.cancelled, "\(action.name) cancelled: the daemon is stopping; the next daemon runs it again")
    }

    // MARK: - Operator decisions

    mutating func decided(_ decision: OperatorDecision, actor: String) {
        switch decision {
        case .retry:
            // Forget the model's stop and the newest revision's failed evaluation, so the
            // next pass tries the same fingerprint again; older ones stay in history.
            let stall = state.stall
            state.stall = nil
            state.nextRestartAt = nil
            object.failure = nil
            var forgotten: [Int] = []
            if let index = registry.revisions.indices.max(by: { registry.revisions[$0].number < registry.revisions[$1].number }),
               registry.revisions[index].evaluation?.passed == false {
                registry.revisions[index].evaluation = nil
                forgotten.append(registry.revisions[index].number)
            }
            output = stall.map { "\($0.phase.rawValue): \($0.message)" }
                ?? (forgotten.isEmpty ? "nothing had stopped" : "failed evaluation of r\(forgotten.map(String.init).joined(separator: ", r"))")
            event(decision.eventReason, "\(actor) asked to retry (\(output))", actor: actor)
        case .promote, .abort:
            // Recorded on the rollout: the next plan acts on it.
            if var rollout = state.rollout {
                if decision == .promote { rollout.promoteRequested = actor } else { rollout.abortRequested = actor }
                state.rollout = rollout
                output = "\(actor) asked to \(decision.rawValue) the rollout of r\(rollout.revision) (\(rollout.phase.rawValue), step \(rollout.step + 1), \(rollout.weight)%)"
            } else {
                output = "\(actor) asked to \(decision.rawValue), but no rollout is in flight: nothing changes"
            }
            event(decision.eventReason, output, actor: actor)
        case .rollback:
            // `applyDecision` turns it into a proposal (`proposalQueued`) or a refusal.
            break
        }
    }
}
