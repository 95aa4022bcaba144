import Foundation
import Logging
import SextantAPI

extension Reconciler {
    /// Trains, evaluates, packages or serves, and records the outcome with its events and
    /// the model's registry in one transaction.
    func performModelAction(_ action: Action, id: Int64, attempt: Int, commit: String, now: Date) async throws -> Bool {
        let key = action.key
        let name = key.name
        var object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: now)
        var state = object.model ?? ModelObservation()
        var registry = registries[name] ?? ModelRegistry(model: name)
        var events: [Event] = []
        var output = ""
        let started = ContinuousClock.now
        // Stamped when called: after the effect it reports completed, not at the pass's start.
        func event(_ reason: String, _ message: String) {
            events.append(Event(time: clock.now(), kind: "Model", name: name, reason: reason, message: message, commit: commit, actor: options.actor))
        }

        do throws(ActionError) {
            switch action {
            case .train(let job):
                let number = registry.nextVersion
                let trained = try await runtime.train(job, version: number)
                registry.versions.append(ModelVersion(
                    number: number, fingerprint: job.fingerprint, commit: job.commit, datasetSha256: job.data.sha256,
                    contractSha256: job.contractSha256, trainer: job.trainerName, modelDirectory: trained.modelDirectory,
                    trainingRows: trained.trainingRows, holdoutRows: trained.holdoutRows, features: job.data.features,
                    classes: job.data.task.isClassification ? trained.classes : nil, createdAt: clock.now()))
                if state.stall?.fingerprint == job.fingerprint { state.stall = nil }
                output = "v\(number) in \(trained.modelDirectory)"
                event("Trained", "v\(number) trained by \(job.trainerName) on \(trained.trainingRows) rows (\(trained.holdoutRows) held out) in \(seconds(since: started)); training fingerprint \(job.fingerprint.prefix(12))")

            case .evaluate(let job):
                let evaluation = try await runtime.evaluate(job, at: now)
                if let index = registry.revisions.firstIndex(where: { $0.number == job.revision }) {
                    registry.revisions[index].evaluation = evaluation
                } else {
                    registry.revisions.append(ModelRevision(
                        number: job.revision, version: job.version.number, servingFingerprint: job.servingFingerprint, commit: job.commit,
                        servingLaunch: job.launch, evaluation: evaluation, createdAt: clock.now()))
                }
                if state.stall?.fingerprint == job.fingerprint { state.stall = nil }
                let shown = evaluation.metrics.keys.sorted().prefix(6).map { "\($0) \(formatMetric(evaluation.metrics[$0]!))" }.joined(separator: ", ")
                // Start-up apart from inference: a server that takes seconds to load does not
                // make its rows/s look slow.
                let rate = evaluation.seconds > 0 ? ", \(Int(Double(evaluation.holdoutRows) / evaluation.seconds)) rows/s" : ""
                let timing = (evaluation.startupSeconds.map { "ready in \(String(format: "%.1f", $0)) s; " } ?? "")
                    + "inference \(String(format: "%.2f", evaluation.seconds)) s\(rate)"
                if evaluation.passed {
                    output = "passed"
                    event("Evaluated", "r\(job.revision) (v\(job.version.number)) answered \(evaluation.holdoutRows) holdout rows through its server (\(timing)): \(shown); every gate passed"
                          + (evaluation.incumbent.map { "; incumbent: \($0.summary)" } ?? (job.incumbent == nil ? "; no incumbent" : "")))
                } else {
                    output = evaluation.failures.joined(separator: "\n")
                    event("GateFailed", "r\(job.revision) (v\(job.version.number)) fails: \(evaluation.failures.joined(separator: "; "))"
                          + (state.stableRevision.map { "; r\($0) keeps serving" } ?? ""))
                }

            case .package(let job):
                let digest = try await runtime.package(job)
                if let index = registry.versions.firstIndex(where: { $0.number == job.version.number }) {
                    registry.versions[index].artifactDigest = digest
                }
                output = digest
                event("Packaged", "v\(job.version.number) packaged as ModelPack artifact \(name)-v\(job.version.number) (\(digest.prefix(19))…)")

            case .serve(let job):
                try await serve(job, state: &state, registry: &registry, now: now, event: event)
                output = state.replicas.map(\.endpoint).joined(separator: ", ")

            case .rollout(_, let revision, let change):
                output = try await applyRollout(change, revision: revision, state: &state, registry: &registry, name: name, now: now, event: event)

            case .retire(_, let retiring):
                await runtime.stopReplicas(retiring.replicas)
                state.retiring.removeAll { $0 == retiring }
                output = retiring.replicas.map(\.endpoint).joined(separator: ", ")
                event("ScaledDown", "r\(retiring.revision) stopped after its scaleDownDelay (\(retiring.replicas.count) replica\(retiring.replicas.count == 1 ? "" : "s"))")

            case .stopServing(_, let replicas):
                let withdrawn = [state.stableRevision, state.rollout?.revision]
                state.replicas = []
                state.stableRevision = nil
                state.rollout = nil
                state.retiring = []
                await publishRoutes(name, state, registry, now: now)  // out of the gateway first
                let outAt = clock.now()
                for revision in withdrawn { registry.withdraw(revision, at: outAt) }
                await runtime.stopReplicas(replicas)
                event("ServingStopped", "stopped \(replicas.count) serving process\(replicas.count == 1 ? "" : "es") of a model removed from Git")

            default:
                return true
            }
        } catch {
            let deploying: Bool = if case .serve(let job) = action { job.launch.revision != state.stableRevision } else { false }
            let maintaining: Bool = if case .serve = action { !deploying } else { false }
            let phase: String? = switch action {
            case .train: "TrainingFailed"
            case .evaluate: "GateFailed"
            case .serve where deploying: "RolloutAborted"
            default: nil
            }
            let finished = clock.now()
            var metadata: Logger.Metadata = ["model": "\(name)", "action": "\(action.name)", "error": "\(error.message)"]
            if maintaining {
                // A restart of what serves failed: crash-loop backoff (counted once).
                if (state.nextRestartAt ?? .distantPast) <= finished { recordCrash(&state, now: finished) }
                event("RestartFailed", "\(error.message); next attempt in \(Int(Backoff.delay(afterAttempts: state.crashes))) s")
            } else if let reason = error.reason, let phase {
                if case .serve(let job) = action, job.role == .candidate, let rollout = state.rollout, rollout.revision == job.launch.revision {
                    // The candidate cannot be brought back: its canary ends.
                    state.rollout = nil
                    await publishRoutes(name, state, registry, now: finished)
                    registry.withdraw(rollout.revision, at: clock.now())
                    await runtime.stopReplicas(rollout.replicas)
                }
                // The repository's own failure: stop on this fingerprint.
                let fingerprint = if case .serve(let job) = action { Planner.servingKey(job.launch.revision) } else { action.fingerprint }
                state.stall = ModelStall(phase: phase, fingerprint: fingerprint, reason: reason, message: error.message, at: now)
                event(phase, error.message + (state.stableRevision.map { "; r\($0) keeps serving" } ?? "")
                      + "; not retried until Git changes or `sextant retry \(name)`")
                if object.failure?.fingerprint == action.fingerprint { object.failure = nil }
                metadata["reason"] = "\(reason)"
            } else {
                // A failure of the machine: retried with backoff, counted from when it failed.
                let delay = Backoff.delay(afterAttempts: attempt)
                object.failure = ActionFailure(fingerprint: action.fingerprint, attempts: attempt, message: error.message,
                                               nextAttemptAt: finished.addingTimeInterval(delay))
                event("\(action.name)Failed", "\(error.message); retrying in \(Int(delay)) s (attempt \(attempt))")
                metadata["retryInSeconds"] = "\(Int(delay))"
            }
            try await record(id, key: key, object: object, state: state, registry: registry, events: events,
                             outcome: JournalOutcome(state: .failed, output: error.message, finishedAt: finished), action: action, now: now)
            logger.warning("model action failed", metadata: metadata)
            return false
        }
        if object.failure?.fingerprint == action.fingerprint { object.failure = nil }
        try await record(id, key: key, object: object, state: state, registry: registry, events: events,
                         outcome: JournalOutcome(state: .succeeded, output: output, finishedAt: clock.now()), action: action, now: now)
        logger.info("model action finished", metadata: [
            "model": "\(name)", "action": "\(action.name)", "milliseconds": "\(milliseconds(ContinuousClock.now - started))",
        ])
        return true
    }

    /// Ends a model action: the reconciler's own view (what the action did has happened),
    /// then the journal, the model's object and registry, and the events in one
    /// transaction, which waits in memory if the store cannot take it yet.
    private func record(_ id: Int64, key: ObjectKey, object: ObservedObject, state: ModelObservation, registry: ModelRegistry, events: [Event],
                        outcome: JournalOutcome, action: Action, now: Date) async throws {
        var object = object
        object.model = state
        object.updatedAt = now
        observed[key] = object
        registries[key.name] = registry
        unrecorded[key.name] = nil
        metrics.actionFinished(action.name, succeeded: outcome.state == .succeeded)
        try await persist(.finishAction(id: id, outcome: outcome, update: .model(object, registry), events: events, action: action.name))
    }

    /// A deploy (another revision takes all traffic, then the old one stops) or upkeep of
    /// the stable revision (dead replicas replaced, the count scaled).
    private func serve(_ job: ServingJob, state: inout ModelObservation, registry: inout ModelRegistry, now: Date,
                       event: (String, String) -> Void) async throws(ActionError) {
        let revision = job.launch.revision
        let deploying = revision != state.stableRevision
        let dead = deploying ? [] : state.replicas.filter { replica in !job.keep.contains(replica) && !job.retire.contains(replica) }
        let used = Set(job.keep.map(\.index))
        let indices = Array((0..<max(job.replicas, 1) + used.count).filter { !used.contains($0) }.prefix(max(0, job.replicas - job.keep.count)))
        if !deploying, !dead.isEmpty {
            // Replicas that died: count the crash before restarting, so a failing restart backs off.
            state.replicas = job.keep + job.retire
            recordCrash(&state, now: now, lived: dead.map { now.timeIntervalSince($0.startedAt) }.min() ?? 0)
            state.lastCrash = dead.map { "replica \($0.index) (\($0.endpoint))" }.joined(separator: ", ")
        }
        if job.role == .candidate {
            try await serveCandidate(job, state: &state, registry: &registry, indices: indices, now: now, event: event)
            return
        }
        let started = try await runtime.startReplicas(job.launch, workspace: job.workspace, indices: indices, at: now)
        state.replicas = (job.keep + started).sorted { $0.index < $1.index }
        // Traffic moves before anything stops: the gateway first, then the old servers.
        let aborted = deploying ? state.rollout : nil
        if deploying {
            state.rollout = nil
            state.retiring.removeAll { $0.revision == revision }
        }
        var routed = registry
        if deploying { routed.moveAllTraffic(from: state.stableRevision, to: revision, at: now) }
        let previousStable = state.stableRevision
        if deploying { state.stableRevision = revision }
        await publishRoutes(job.model, state, routed, now: now)
        let switched = clock.now()
        state.stableRevision = previousStable
        if let aborted { await stopWhenDrained(aborted.replicas, model: job.model, revision: aborted.revision) }
        await stopWhenDrained(job.retire, model: job.model, revision: deploying ? previousStable ?? revision : revision)
        let endpoints = state.replicas.map(\.endpoint).joined(separator: ", ")
        if deploying {
            let previous = state.stableRevision
            if let aborted, aborted.revision != revision { registry.withdraw(aborted.revision, at: switched) }
            registry.moveAllTraffic(from: previous, to: revision, at: switched)
            state.stableRevision = revision
            state.crashes = 0
            state.nextRestartAt = nil
            state.lastCrash = nil
            if state.stall?.fingerprint == Planner.servingKey(revision) { state.stall = nil }
            event("Deployed", "r\(revision) (v\(job.launch.version)) serves 100% of traffic with \(started.count) replica\(started.count == 1 ? "" : "s") on \(endpoints)"
                  + (previous.map { "; r\($0) stopped" } ?? ""))
        } else if !dead.isEmpty {
            event("ReplicaRestarted", "\(state.lastCrash ?? "a replica") of r\(revision) exited; restarted on \(endpoints) (crash \(state.crashes) in a row)")
        } else {
            event("Scaled", "r\(revision) runs \(state.replicas.count) replica\(state.replicas.count == 1 ? "" : "s") on \(endpoints)")
        }
    }

    /// One more crash: the next restart waits 5 s, 10 s, 20 s, … (a replica that lived a
    /// minute starts the count again).
    private func recordCrash(_ state: inout ModelObservation, now: Date, lived: TimeInterval = 0) {
        state.crashes = lived > 60 ? 1 : state.crashes + 1
        state.nextRestartAt = now.addingTimeInterval(Backoff.delay(afterAttempts: state.crashes))
    }

    /// `sextant retry MODEL`: forget the model's stop and failed evaluation, so the next
    /// pass tries the same fingerprint again.
    func applyRetry(_ request: OperatorRequest, commit: String?, now: Date) async throws {
        let key = ObjectKey(.model, request.model)
        var object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: now)
        var state = object.model ?? ModelObservation()
        var registry = registries[request.model] ?? ModelRegistry(model: request.model)
        let stall = state.stall
        state.stall = nil
        state.nextRestartAt = nil
        object.failure = nil
        var forgotten: [Int] = []
        // The newest revision's failed evaluation is judged again; older ones stay in history.
        if let index = registry.revisions.indices.max(by: { registry.revisions[$0].number < registry.revisions[$1].number }),
           registry.revisions[index].evaluation?.passed == false {
            registry.revisions[index].evaluation = nil
            forgotten.append(registry.revisions[index].number)
        }
        object.model = state
        object.updatedAt = now
        let what = stall.map { "\($0.phase): \($0.message)" } ?? (forgotten.isEmpty ? "nothing had stopped" : "failed evaluation of r\(forgotten.map(String.init).joined(separator: ", r"))")
        let event = Event(time: clock.now(), kind: "Model", name: request.model, reason: "RetryRequested",
                          message: "\(request.actor) asked to retry (\(what))", commit: commit, actor: request.actor)
        let id = try await journal(JournalEntry(action: "Retry", key: key, fingerprint: Fingerprint.of("retry/1", [request.model]), attempt: 1,
                                                commit: commit, input: "{}", startedAt: now), for: request)
        observed[key] = object
        registries[request.model] = registry
        try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .succeeded, output: what, finishedAt: now), update: .model(object, registry),
                                       events: [event], action: "Retry"))
    }
}

private func seconds(since start: ContinuousClock.Instant) -> String {
    String(format: "%.2f s", (ContinuousClock.now - start).seconds)
}
