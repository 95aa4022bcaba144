import Foundation
import Logging
import SextantAPI

/// Running the plan's actions: journaled before they start and when they end; long ones as
/// background jobs when the loop runs them.
extension Reconciler {
    /// Long actions run as background jobs from now on: the caller runs `jobs`.
    package func runJobsInBackground() {
        backgroundJobs = true
    }

    /// Whether an action waits for a background job: one of its object runs, or every slot
    /// of its kind is taken (`--max-parallel-training` trainings; as many evaluations and
    /// packagings as dataset checks run at once). A job's end wakes the loop.
    func isHeld(_ action: Action) -> Bool {
        guard backgroundJobs, action.isLong else { return false }
        let slots = action.isTraining ? options.maxParallelTraining : options.parallelChecks
        return jobs.running(action.key) != nil || jobs.count(training: action.isTraining) >= slots
    }

    /// Starts a long action as a background job: it journals its start, runs, and records
    /// its outcome like any action, then wakes the loop. The pass goes on without it.
    func startJob(_ action: Action, commit: String) {
        _ = jobs.start(action) { [self] in
            do {
                _ = try await perform(action, commit: commit, now: clock.now())
            } catch {
                // The store failed: what happened waits in memory; the next pass plans again.
                logger.error("background job not recorded", metadata: ["action": "\(action.name)", "object": "\(action.key)", "error": "\(error)"])
            }
        }
    }

    /// Runs the actions: long ones as background jobs when the loop runs them; the others
    /// (or all) of one object in order, objects in parallel (at most `parallelChecks` at
    /// once, of which at most `maxParallelTraining` train); returns how many failed.
    func execute(_ actions: [Action], planned: ObservedState, desired: DesiredState, now: Date) async throws -> Int {
        // A background job may have recorded an outcome while the pass saved its status
        // (the actor is reentrant): an action planned on what its object was before would
        // run twice (a second training of the same version). Its job's end woke the loop,
        // whose next pass plans again on what is.
        var inline = actions.filter { !isStale($0, planned: planned) }
        let actions = inline
        if backgroundJobs {
            inline = actions.filter { !$0.isLong }
            for action in actions where action.isLong && !isHeld(action) { startJob(action, commit: desired.commit) }
        }
        var order: [ObjectKey] = []
        var groups: [ObjectKey: [Action]] = [:]
        for action in inline {
            if groups[action.key] == nil { order.append(action.key) }
            groups[action.key, default: []].append(action)
        }
        var pending = order.map { groups[$0]! }[...]
        var failures = 0
        try await withThrowingTaskGroup(of: (failures: Int, training: Bool).self) { group in
            var running = 0, training = 0
            func startNext() {
                guard running < options.parallelChecks else { return }
                let index = pending.firstIndex { group in
                    !group.contains(where: \.isTraining) || training < options.maxParallelTraining
                }
                guard let index else { return }
                let next = pending.remove(at: index)
                let trains = next.contains(where: \.isTraining)
                running += 1
                if trains { training += 1 }
                group.addTask {
                    var failed = 0
                    for action in next where !(try await self.perform(action, commit: desired.commit, now: now)) { failed += 1 }
                    return (failed, trains)
                }
                startNext()
            }
            startNext()
            while let finished = try await group.next() {
                failures += finished.failures
                running -= 1
                if finished.training { training -= 1 }
                startNext()
            }
        }
        return failures
    }

    /// Whether the action's object (or its model's registry) changed since it was planned.
    func isStale(_ action: Action, planned: ObservedState) -> Bool {
        guard observed[action.key] == planned.objects[action.key] else { return true }
        guard action.key.kind == .model else { return false }
        return registries[action.key.name] != planned.registries[action.key.name]
    }

    /// Journals the start, runs the action, journals the end with the object's new state
    /// and its events in one transaction.
    func perform(_ action: Action, commit: String, now: Date) async throws -> Bool {
        let key = action.key
        let previous = observed[key]
        let fingerprint = action.fingerprint
        let attempt = previous?.failure?.fingerprint == fingerprint ? (previous?.failure?.attempts ?? 0) + 1 : 1
        switch action {
        case .train, .evaluate, .package, .serve, .stopServing, .rollout, .retire, .propose:
            let input = String(decoding: Fingerprint.canonicalJSON(["action": action.name, "fingerprint": action.fingerprint]), as: UTF8.self)
            let id = try await journal(JournalEntry(action: action.name, key: key, fingerprint: fingerprint, attempt: attempt,
                                                    commit: commit, input: input, startedAt: clock.now()))
            return try await performModelAction(action, id: id, attempt: attempt, commit: commit, now: now)

        case .retrain(let job):
            let id = try await journal(JournalEntry(action: action.name, key: key, fingerprint: fingerprint, attempt: 1, commit: commit,
                                                    input: "{\"triggers\":\"\(job.reasons.map(\.trigger.rawValue).joined(separator: ","))\"}", startedAt: clock.now()))
            return try await performRetraining(job, id: id, commit: commit)

        case .prune(let key):
            let id = try await journal(JournalEntry(action: action.name, key: key, fingerprint: fingerprint, attempt: attempt,
                                                    commit: commit, input: "{}", startedAt: clock.now()))
            let event = Event(time: clock.now(), kind: EventKind(key.kind), name: key.name, reason: .pruned,
                              message: "\(key) was removed from Git; its history is kept", commit: commit, actor: options.actor)
            observed[key] = nil
            metrics.actionFinished(action.name, succeeded: true)
            logger.info("object pruned", metadata: ["kind": "\(key.kind)", "name": "\(key.name)"])
            try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .succeeded, output: "", finishedAt: now), update: .delete(key),
                                           events: [event], action: action.name))
            return true

        case .checkDataset(let check):
            let id = try await journal(JournalEntry(action: action.name, key: key, fingerprint: fingerprint, attempt: attempt,
                                                    commit: commit, input: check.journalInput, startedAt: clock.now()))
            let started = ContinuousClock.now
            switch await self.check(check, now: now) {
            case .success(let result):
                let object = ObservedObject(key: key, fingerprint: fingerprint, dataset: result, failure: nil, updatedAt: now)
                var events: [Event] = []
                if previous?.dataset?.verdict != result.verdict || previous?.dataset?.sha256 != result.sha256 || previous?.dataset?.violations != result.violations {
                    events.append(datasetEvent(check, result))
                }
                let output = result.verdict == .validated ? "validated" : result.violations.joined(separator: "\n")
                observed[key] = object
                metrics.actionFinished(action.name, succeeded: true)
                logger.info("dataset checked", metadata: [
                    "dataset": "\(check.name)", "verdict": "\(result.verdict.rawValue)", "rows": "\(result.rows ?? 0)",
                    "milliseconds": "\(milliseconds(ContinuousClock.now - started))", "commit": "\(check.commit.prefix(7))",
                ])
                try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .succeeded, output: output, finishedAt: clock.now()),
                                               update: .upsert(object), events: events, action: action.name))
                return true
            case .failure(let error):
                let delay = Backoff.delay(afterAttempts: attempt)
                var object = previous ?? ObservedObject(key: key, updatedAt: now)
                object.failure = ActionFailure(fingerprint: fingerprint, attempts: attempt, message: error.message,
                                               nextAttemptAt: now.addingTimeInterval(delay))
                object.updatedAt = now
                let event = Event(time: clock.now(), kind: .dataset, name: check.name, reason: .checkFailed,
                                  message: "\(error.message); retrying in \(Int(delay)) s (attempt \(attempt))", commit: commit, actor: options.actor)
                observed[key] = object
                metrics.actionFinished(action.name, succeeded: false)
                logger.warning("dataset check failed", metadata: [
                    "dataset": "\(check.name)", "error": "\(error.message)", "attempt": "\(attempt)", "retryInSeconds": "\(Int(delay))",
                ])
                try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .failed, output: error.message, finishedAt: clock.now()),
                                               update: .upsert(object), events: [event], action: action.name))
                return false
            }
        }
    }

    func datasetEvent(_ check: DatasetCheck, _ result: DatasetResult) -> Event {
        let hash = result.sha256.map { " (sha256 \($0.prefix(12)))" } ?? ""
        switch result.verdict {
        case .validated:
            return Event(time: clock.now(), kind: .dataset, name: check.name, reason: .datasetValidated,
                         message: "\(check.data)\(hash) meets contract \(check.contract): \(result.checks) checks passed",
                         commit: check.commit, actor: options.actor)
        case .dataInvalid:
            let shown = result.violations.prefix(5).joined(separator: "; ")
            return Event(time: clock.now(), kind: .dataset, name: check.name, reason: .dataInvalid,
                         message: "\(check.data)\(hash) breaks contract \(check.contract): \(shown)\(result.violations.count > 5 ? "; …" : "")",
                         commit: check.commit, actor: options.actor)
        }
    }

}
