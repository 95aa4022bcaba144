import Foundation
import Logging
import SextantAPI

extension Reconciler {
    /// Runs a model action's work (the runtime trains, evaluates, packages or starts
    /// servers), folds its outcome through `ModelTransition`, records the result with its
    /// events and the model's registry in one transaction, then performs its effects.
    func performModelAction(_ action: Action, id: Int64, attempt: Int, commit: String, now: Date) async throws -> Bool {
        let started = ContinuousClock.now
        let outcome: ModelOutcome
        do throws(ActionError) {
            outcome = try await work(action, now: now, started: started)
        } catch {
            outcome = Task.isCancelled ? .cancelled(action) : .failed(action, error, attempt: attempt)
        }
        let succeeded = try await fold(outcome, key: action.key, journal: id, journalAction: action.name, commit: commit, actor: options.actor)
        if succeeded, case .rollout(let model, _, let change) = action, let (reason, message) = change.abortReason,
           RolloutChange.automaticAborts.contains(reason) {
            try await proposeRevert(model: model, aborted: message, now: now)
        }
        if succeeded {
            logger.info("model action finished", metadata: [
                "model": "\(action.key.name)", "action": "\(action.name)", "milliseconds": "\(milliseconds(ContinuousClock.now - started))",
            ])
        } else if case .failed(_, let error, _) = outcome {
            var metadata: Logger.Metadata = ["model": "\(action.key.name)", "action": "\(action.name)", "error": "\(error.message)"]
            if let reason = error.reason { metadata["reason"] = "\(reason)" }
            logger.warning("model action failed", metadata: metadata)
        }
        return succeeded
    }

    /// What the runtime does for an action, as an outcome.
    private func work(_ action: Action, now: Date, started: ContinuousClock.Instant) async throws(ActionError) -> ModelOutcome {
        switch action {
        case .train(let job):
            let number = (registries[job.model] ?? ModelRegistry(model: job.model)).nextVersion
            let trained = try await runtime.train(job, version: number)
            return .trained(job, version: number, trained, seconds: (ContinuousClock.now - started).seconds)
        case .evaluate(let job):
            return .evaluated(job, try await runtime.evaluate(job, at: now))
        case .package(let job):
            return .packaged(job, digest: try await runtime.package(job))
        case .serve(let job):
            return .served(job, started: try await runtime.startReplicas(job.launch, workspace: job.workspace, indices: job.indicesToStart, at: now))
        case .rollout(_, let revision, let change):
            return .rolloutChanged(revision: revision, change)
        case .retire(_, let retiring):
            return .retired(retiring)
        case .stopServing(_, let replicas):
            return .servingStopped(replicas)
        case .propose(let change):
            guard let proposer else { throw ActionError("no Git writer is configured for \(change.branch)") }
            return .proposed(change, try await proposer.propose(change))
        case .checkDataset, .prune, .retrain:
            preconditionFailure("\(action.name) is not a model action")
        }
    }

    /// Applies an outcome to the model, records it (the reconciler's own view at once, the
    /// store through the outbox), then performs its effects, in order: traffic moves
    /// before any server stops. A store that cannot take the record yet does not hold the
    /// effects back (the record waits in memory); the failure is thrown after them.
    /// - Returns: whether the action succeeded.
    func fold(_ outcome: ModelOutcome, key: ObjectKey, journal id: Int64, journalAction: String, commit: String?, actor: String) async throws -> Bool {
        let now = clock.now()
        let object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: now)
        let policy = desired?.manifests.model(named: key.name).map { ResolvedPolicy($0, in: desired!.manifests) }
        let result = ModelTransition.apply(outcome, to: object, registry: registries[key.name] ?? ModelRegistry(model: key.name),
                                           context: .init(model: key.name, commit: commit, actor: actor, policy: policy, traffic: traffic, now: now))
        observed[key] = result.object
        registries[key.name] = result.registry
        if outcome.action(model: key.name) != nil { metrics.actionFinished(journalAction, succeeded: result.succeeded) }
        let record = PendingWrite.finishAction(
            id: id, outcome: JournalOutcome(state: result.succeeded ? .succeeded : .failed, output: result.output, finishedAt: now),
            update: .model(result.object, result.registry), events: result.events, action: journalAction)
        var unrecorded: (any Error)?
        do {
            try await persist(record)
        } catch {
            unrecorded = error
        }
        for effect in result.effects {
            switch effect {
            case .publishRoutes: await publishRoutes()
            case .stopWhenDrained(let revision, let replicas): await stopWhenDrained(replicas, model: key.name, revision: revision)
            case .stopReplicas(let replicas): await runtime.stopReplicas(replicas)
            }
        }
        if let unrecorded { throw unrecorded }
        return result.succeeded
    }

    // MARK: - Operator requests

    /// `sextant retry|promote|abort MODEL`: journaled, then folded like any outcome (a
    /// promote or abort is recorded on the rollout, and the next plan acts on it).
    func applyDecision(_ request: OperatorRequest, commit: String?, now: Date) async throws {
        let decision = request.decision
        let key = ObjectKey(.model, request.model)
        if decision == .rollback { return try await proposeRollback(request, now: now) }
        let id = try await journal(JournalEntry(action: decision.journalAction, key: key, fingerprint: Fingerprint.of("\(decision.rawValue)/1", [request.model]),
                                                attempt: 1, commit: commit, input: "{}", startedAt: now), for: request)
        _ = try await fold(.decided(decision, actor: request.actor), key: key, journal: id, journalAction: decision.journalAction,
                           commit: commit, actor: request.actor)
    }
}

extension Reconciler {
    /// `sextant rollback MODEL [--to vN]`: the Model as it was, proposed on
    /// `sextant/rollback/MODEL` (written by the next pass's `Propose`), or a refusal event.
    func proposeRollback(_ request: OperatorRequest, now: Date) async throws {
        let key = ObjectKey(.model, request.model)
        let id = try await journal(JournalEntry(action: OperatorDecision.rollback.journalAction, key: key,
                                                fingerprint: Fingerprint.of("rollback/1", [request.model, request.version.map(String.init) ?? "previous"]),
                                                attempt: 1, commit: desired?.commit, input: "{}", startedAt: now), for: request)
        guard let desired else {
            return try await refuseRollback(request, "no commit is applied yet", journal: id, now: now)
        }
        let made = RollbackChange.make(model: request.model, to: request.version, desired: desired,
                                       registry: registries[request.model] ?? ModelRegistry(model: request.model),
                                       stable: observed[key]?.model?.stableRevision, root: source.root, actor: request.actor, now: now)
        switch made {
        case .success(let change):
            _ = try await fold(.proposalQueued(change, actor: request.actor), key: key, journal: id,
                               journalAction: OperatorDecision.rollback.journalAction, commit: desired.commit, actor: request.actor)
        case .failure(let refusal):
            try await refuseRollback(request, refusal.message, journal: id, now: now)
        }
    }

    private func refuseRollback(_ request: OperatorRequest, _ message: String, journal id: Int64, now: Date) async throws {
        let event = Event(time: now, kind: .model, name: request.model, reason: .rollbackRefused,
                          message: "rollback of \(request.model) not proposed: \(message)", commit: desired?.commit, actor: request.actor)
        let key = ObjectKey(.model, request.model)
        let object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: now)
        let update = ObjectUpdate.model(object, registries[request.model] ?? ModelRegistry(model: request.model))
        try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .failed, output: message, finishedAt: now), update: update,
                                       events: [event], action: OperatorDecision.rollback.journalAction))
    }
}

extension Reconciler {
    /// `rollback.gitRevert: pullRequest`: after an automatic abort, Git is proposed back to
    /// what serves, on `sextant/rollback/MODEL`.
    func proposeRevert(model: String, aborted: String, now: Date) async throws {
        let key = ObjectKey(.model, model)
        guard let desired, let spec = desired.manifests.model(named: model), ResolvedPolicy(spec, in: desired.manifests).gitRevert,
              proposer != nil,
              let change = RollbackChange.revert(model: model, aborted: aborted, desired: desired,
                                                 registry: registries[model] ?? ModelRegistry(model: model),
                                                 stable: observed[key]?.model?.stableRevision, root: source.root, now: now) else { return }
        let id = try await journal(JournalEntry(action: "GitRevert", key: key, fingerprint: change.fingerprint, attempt: 1,
                                                commit: desired.commit, input: "{}", startedAt: now))
        _ = try await fold(.proposalQueued(change, actor: options.actor), key: key, journal: id, journalAction: "GitRevert",
                           commit: desired.commit, actor: options.actor)
    }
}
