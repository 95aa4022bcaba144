import Foundation
import Logging
import SextantAPI

/// Retraining (DESIGN §7): the monitor's checks in each pass, and the retraining job.
extension Reconciler {
    /// Checks each served model's retraining triggers when due (every `drift.interval`). A
    /// firing is recorded at once — `RetrainTriggered` and the start of the cooldown, in the
    /// store, so a restart does not fire again — and starts the retraining as a job.
    func monitorRetraining(_ desired: DesiredState, now: Date) async throws {
        for name in desired.models.keys.sorted() {
            let model = desired.models[name]!
            guard let spec = model.model.spec.monitoring?.retrain, !(spec.on ?? []).isEmpty else { continue }
            let key = ObjectKey(.model, name)
            guard var object = observed[key], var state = object.model, let stable = state.stableRevision,
                  let registry = registries[name], let serving = registry.revision(stable), let servingVersion = registry.version(serving.version)
            else { continue }
            // Checked only when a retraining could start now (no job of the model, a free slot).
            if backgroundJobs, jobs.running(key) != nil || jobs.count(training: true) >= options.maxParallelTraining { continue }
            let retrain = state.retrain ?? RetrainState()
            let online = productionSignals[name]?.online ?? []
            let served = Set(registry.revisions.filter { !$0.served.isEmpty }.map(\.number))
            var changed: String?
            if case .file? = desired.datasets[model.dataset]?.data, let sha256 = observed[ObjectKey(.dataset, model.dataset)]?.dataset?.sha256,
               sha256 != servingVersion.datasetSha256, sha256 != retrain.lastDataSha256 {
                changed = sha256
            }
            let signals = RetrainMonitor.Signals(drift: productionSignals[name]?.drift?.datasetDrift, online: online.first { $0.revision == stable }, changedDataSha256: changed,
                                                 labelledRows: online.filter { served.contains($0.revision) }.map(\.labelledRows).reduce(0, +))
            let interval = (model.model.spec.monitoring?.drift?.interval ?? DriftSpec.defaultInterval).duration
            var (next, decision) = RetrainMonitor.check(spec, interval: interval, signals: signals, state: retrain, now: now)
            switch decision {
            case .notDue:
                continue
            case .wait(let message):
                next.waiting = message
                state.retrain = next
                object.model = state
                observed[key] = object
            case .fire(let reasons):
                next.waiting = nil
                state.retrain = next
                object.model = state
                observed[key] = object
                let job = RetrainJob(model: name, reasons: reasons, triggeredAt: now)
                let action = Action.retrain(job)
                let id = try await journal(JournalEntry(action: "TriggerRetrain", key: key, fingerprint: action.fingerprint, attempt: 1,
                                                        commit: desired.commit, input: "{}", startedAt: clock.now()))
                let event = Event(time: clock.now(), kind: .model, name: name, reason: .retrainTriggered,
                                  message: "retraining against serving r\(stable): " + reasons.map(\.summary).joined(separator: "; "),
                                  commit: desired.commit, actor: options.actor)
                logger.notice("retraining triggered", metadata: ["model": "\(name)", "reasons": "\(reasons.map(\.trigger.rawValue))"])
                try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .succeeded, output: reasons.map(\.trigger.rawValue).joined(separator: ","),
                                                                               finishedAt: clock.now()),
                                               update: .upsert(object), events: [event], action: "TriggerRetrain"))
                if backgroundJobs {
                    startJob(action, commit: desired.commit)
                } else {
                    _ = try await perform(action, commit: desired.commit, now: now)
                }
            }
        }
    }

    /// Runs a retraining: the table, the candidate's training and evaluation, the recency
    /// holdout, then the verdict — proposed to Git when better — recorded with the model.
    func performRetraining(_ job: RetrainJob, id: Int64, commit: String) async throws -> Bool {
        let key = ObjectKey(.model, job.model)
        let finished: RetrainCandidate
        var registered: (version: ModelVersion?, revision: ModelRevision?) = (nil, nil)
        var dataSha256: String?
        var proposal: ProposedChange?
        var events: [Event] = []
        do throws(ActionError) {
            let run = try await retrain(job)
            finished = run.candidate
            registered = (run.version, run.revision)
            dataSha256 = run.dataSha256
            proposal = run.proposal
            events = run.events
        } catch {
            finished = RetrainCandidate(outcome: .failed, version: nil, message: error.message, at: clock.now())
        }
        // Applied to what the model is now: inline actions (a rollout step) ran meanwhile.
        var object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: clock.now())
        var registry = registries[job.model] ?? ModelRegistry(model: job.model)
        if let version = registered.version, registry.version(fingerprint: version.fingerprint) == nil { registry.versions.append(version) }
        if let revision = registered.revision {
            if let index = registry.revisions.firstIndex(where: { $0.number == revision.number }) {
                registry.revisions[index].evaluation = revision.evaluation
            } else {
                registry.revisions.append(revision)
            }
        }
        var state = object.model ?? ModelObservation()
        var retrain = state.retrain ?? RetrainState()
        retrain.candidate = finished
        if let dataSha256 { retrain.lastDataSha256 = dataSha256 }
        state.retrain = retrain
        object.model = state
        object.updatedAt = clock.now()
        if let proposal {
            // Queued with the model, written by a `Propose` job (retried until Git takes it).
            object = ModelTransition.apply(.proposalQueued(proposal, actor: options.actor), to: object, registry: registry, context: .init(
                model: job.model, commit: commit, actor: options.actor, policy: nil, traffic: nil, now: clock.now())).object
        }
        observed[key] = object
        registries[job.model] = registry
        let reason: EventReason = switch finished.outcome {
        case .ready: .candidateReady
        case .rejected: .retrainRejected
        case .blocked: .retrainBlocked
        case .failed: .retrainFailed
        }
        events.append(Event(time: clock.now(), kind: .model, name: job.model, reason: reason, message: finished.message, commit: commit, actor: options.actor))
        metrics.actionFinished("Retrain", succeeded: finished.outcome != .failed)
        logger.info("retraining finished", metadata: ["model": "\(job.model)", "outcome": "\(finished.outcome.rawValue)", "version": "\(finished.version.map { "v\($0)" } ?? "none")"])
        try await persist(.finishAction(id: id, outcome: JournalOutcome(state: finished.outcome == .failed ? .failed : .succeeded, output: finished.message,
                                                                       finishedAt: clock.now()),
                                       update: .model(object, registry), events: events, action: "Retrain"))
        return finished.outcome != .failed
    }

    /// What one retraining produced.
    private struct RetrainRun {
        var candidate: RetrainCandidate
        var version: ModelVersion?
        var revision: ModelRevision?
        /// The content hash it trained on.
        var dataSha256: String?
        /// The change to propose to Git (a better candidate, promotion not `none`).
        var proposal: ProposedChange?
        /// `Trained` and `Evaluated` of the candidate.
        var events: [Event] = []
    }

    private func retrain(_ job: RetrainJob) async throws(ActionError) -> RetrainRun {
        guard let desired, let model = desired.models[job.model], let spec = model.model.spec.monitoring?.retrain,
              let dataset = desired.datasets[model.dataset], let datasetManifest = desired.manifests.dataset(named: model.dataset),
              let datasetFile = desired.manifests.loaded(kind: .dataset, name: model.dataset)?.file
        else { throw ActionError("\(job.model) or its dataset left Git") }
        let key = ObjectKey(.model, job.model)
        guard let stable = observed[key]?.model?.stableRevision, let registry = registries[job.model], let serving = registry.revision(stable),
              let servingVersion = registry.version(serving.version)
        else { throw ActionError("\(job.model) has no serving revision to compare with") }
        guard let datasetSha256 = observed[ObjectKey(.dataset, model.dataset)]?.dataset?.sha256 else {
            throw ActionError("dataset \(model.dataset) is not checked yet")
        }
        let now = clock.now()
        let features = (servingVersion.features ?? model.features).map(\.name)
        let classes = (servingVersion.classes ?? []).sorted()
        let query = SignalQuery(model: job.model, features: features, task: model.model.spec.task, classes: classes,
                                window: model.model.spec.monitoring?.online?.window ?? OnlineMetricsSpec.defaultWindow, contract: nil)
        let served = Set(registry.revisions.filter { !$0.served.isEmpty }.map(\.number))
        let labelled = await signals?.labelledRows(query).filter { served.contains($0.revision) } ?? []
        let (older, recent) = labelled.splitByRecency()

        // 1. The table.
        var table: RetrainingTable?
        let location: DataLocation
        let sha256: String
        switch spec.data ?? .feedback {
        case .source:
            location = dataset.data
            sha256 = datasetSha256
        case .feedback:
            guard let root = options.retrainingDataRoot else { throw ActionError("no --data-root to write the retraining table to") }
            let request = RetrainingTableRequest(model: job.model, dataset: model.dataset, location: dataset.data, sha256: datasetSha256, table: dataset.table,
                                                 target: model.model.spec.target, features: features, rows: older, dataRoot: root)
            switch try await runtime.buildRetrainingTable(request) {
            case .blocked(let violations):
                return RetrainRun(candidate: RetrainCandidate(
                    outcome: .blocked, version: nil,
                    message: "the training table of \(older.count) labelled production rows breaks contract \(dataset.contract): "
                        + violations.prefix(5).joined(separator: "; ") + (violations.count > 5 ? "; …" : "") + "; nothing trained", at: clock.now()))
            case .built(let built):
                table = built
                location = .file(path: built.path)
                sha256 = built.sha256
            }
        }

        // 2. The candidate version: the fingerprint the planner computes once Git pins this data.
        guard let fingerprint = ModelFingerprint.training(of: model.model, in: desired.manifests, datasetSha256: sha256, trainer: model.trainerIdentity) else {
            throw ActionError("\(job.model)'s dataset or contract table is missing")
        }
        let data = model.trainingData(location: location, sha256: sha256)
        var run = RetrainRun(candidate: RetrainCandidate(outcome: .failed, version: nil, message: "", at: now), dataSha256: sha256)
        let version: ModelVersion
        if let known = registry.version(fingerprint: fingerprint) {
            version = known
        } else {
            let trainer: TrainingJob.Trainer = model.builtinTrainer.map { .builtin($0) } ?? .command(model.model.spec.training.command ?? [], desired.workspace)
            let training = TrainingJob(model: job.model, fingerprint: fingerprint, commit: desired.commit, data: data, trainer: trainer,
                                       hyperparameters: model.model.spec.training.hyperparameters ?? [:], seed: model.model.spec.training.seed ?? 0,
                                       timeout: model.timeout, contractSha256: model.contractSha256)
            let number = registry.nextVersion
            let output = try await runtime.train(training, version: number)
            version = ModelVersion(number: number, fingerprint: fingerprint, commit: desired.commit, datasetSha256: sha256, contractSha256: model.contractSha256,
                                   trainer: training.trainerName, modelDirectory: output.modelDirectory, trainingRows: output.trainingRows,
                                   holdoutRows: output.holdoutRows, features: data.features, classes: data.task.isClassification ? output.classes : nil,
                                   task: data.task, retrainingCandidate: true, createdAt: clock.now())
            run.version = version
            run.events.append(Event(time: clock.now(), kind: .model, name: job.model, reason: .trained,
                                    message: "retraining candidate v\(number) trained on \(output.trainingRows) rows (\(output.holdoutRows) held out); training fingerprint \(fingerprint.prefix(12))",
                                    commit: desired.commit, actor: options.actor))
        }

        // 3. Judged as usual on its holdout (the registry keeps the revision, so merging reuses it) …
        let revisionNumber = registry.revision(version: version.number, servingFingerprint: model.servingFingerprint)?.number ?? registry.nextRevision
        let launch = ServingLaunch(model: job.model, version: version.number, revision: revisionNumber, modelDirectory: version.modelDirectory,
                                   runtime: Planner.launchRuntime(model, commit: desired.commit), autoscaling: model.autoscaling)
        let workspace = model.servesAmongFiles ? desired.workspace : nil
        var incumbent: EvaluationJob.Incumbent?
        if let rule = model.model.spec.evaluation?.incumbent, let servingLaunch = serving.launch(in: registry) {
            incumbent = .init(rule: rule, revision: stable, launch: servingLaunch, workspace: nil)
        }
        let evaluationJob = EvaluationJob(model: job.model, fingerprint: Planner.evaluationFingerprint(model, training: fingerprint), version: version,
                                          revision: revisionNumber, servingFingerprint: model.servingFingerprint, launch: launch, workspace: workspace,
                                          data: data, gates: model.model.spec.evaluation?.gates ?? [], incumbent: incumbent, commit: desired.commit,
                                          explainability: model.model.spec.evaluation?.explainability ?? .optional)
        let evaluation = try await runtime.evaluate(evaluationJob, at: clock.now())
        let shown = evaluation.metrics.keys.sorted().prefix(6).map { "\($0) \(formatMetric(evaluation.metrics[$0]!))" }.joined(separator: ", ")
        run.events.append(Event(time: clock.now(), kind: .model, name: job.model, reason: .evaluated,
                                message: "retraining candidate r\(revisionNumber) (v\(version.number)) answered \(evaluation.holdoutRows) holdout rows: \(shown); "
                                    + (evaluation.passed ? "every gate passed" : evaluation.failures.joined(separator: "; ")),
                                commit: desired.commit, actor: options.actor))
        run.revision = ModelRevision(number: revisionNumber, version: version.number, servingFingerprint: model.servingFingerprint, commit: desired.commit,
                                     servingLaunch: launch, evaluation: evaluation, createdAt: clock.now())

        // 4. … and on the recency holdout, with the serving revision's logged answers.
        var recency = RecencyComparison(candidate: [:], serving: [:], rows: 0)
        if !recent.isEmpty {
            recency = try await runtime.evaluateRecency(RecencyEvaluationJob(launch: launch, workspace: workspace, data: data, features: features,
                                                                              classes: classes, rows: recent), at: clock.now())
        }
        let evidence = RetrainEvidence.compare(
            model: model, reasons: job.reasons,
            data: .init(dataset: model.dataset, sha256: sha256, previousSha256: servingVersion.datasetSha256,
                        location: table?.uri ?? dataset.data.description, datasetRows: table?.datasetRows ?? version.trainingRows + version.holdoutRows,
                        addedRows: table?.addedRows ?? 0, recencyRows: recent.count, checks: table?.checks ?? 0),
            candidate: .init(version: version.number, revision: revisionNumber), serving: .init(version: servingVersion.number, revision: stable),
            evaluation: evaluation, recency: recency)

        // 5. The verdict.
        guard evidence.candidateIsBetter else {
            run.candidate = RetrainCandidate(outcome: .rejected, version: version.number, message: evidence.verdict, evidence: evidence, at: clock.now())
            return run
        }
        var message = evidence.verdict
        let promotion = spec.promotion ?? .pullRequest
        if proposer != nil, promotion != .none {
            let change = ProposedChange.retraining(model: job.model, dataset: datasetManifest, datasetFile: datasetFile, root: source.root, sha256: sha256,
                                                   table: table, evidence: evidence, promotion: promotion, baseCommit: desired.commit, now: clock.now())
            run.proposal = change
            message += "; proposed on \(change.branch)"
        } else {
            message += "; the evidence stays in status: pin sha256 \(sha256) of dataset \(model.dataset) in Git to deploy it"
        }
        run.candidate = RetrainCandidate(outcome: .ready, version: version.number, message: message, evidence: evidence, branch: run.proposal?.branch,
                                         at: clock.now())
        return run
    }
}
