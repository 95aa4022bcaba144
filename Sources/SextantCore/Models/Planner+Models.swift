package import Foundation
import SextantAPI

/// Where a model stands in its lifecycle, decided purely from desired and observed state:
/// what the planner acts on and what status reports.
package struct ModelDecision: Sendable, Hashable {
    package enum Stage: Sendable, Hashable {
        /// The dataset is not checked yet (or is being checked again).
        case waitingForData
        case dataInvalid(String)
        case train(TrainingJob)
        case evaluate(EvaluationJob)
        case package(PackageJob)
        case deploy(ServingJob)
        /// Stopped for this fingerprint until Git changes it or `sextant retry`.
        case stalled(ModelStall)
        /// An unpinned `uri:` dataset: registered, never deployed.
        case candidateReady(version: Int, revision: Int, sha256: String)
        /// A canary moves the newest revision in step by step.
        case rollingOut(RolloutProgress)
        /// The newest revision serves.
        case serving
    }

    package var stage: Stage
    package var trainingFingerprint: String?
    /// The version and revision Git asks for, once they exist.
    package var version: Int?
    package var revision: Int?
    /// Bringing the stable revision's replicas back (crash, replicas changed).
    package var maintenance: ServingJob?
    /// Bringing a canary's candidate replicas back.
    package var candidateMaintenance: ServingJob?
    /// A rollout that no longer matches Git (superseded, Git back on stable).
    package var supersede: Action?
    /// Old stable revisions whose `scaleDownDelay` has passed.
    package var retire: [RetiringRevision] = []
    /// When the model needs a pass again (an analysis, the end of a pause or delay).
    package var wake: Date?

    /// The actions this decision takes, in order.
    package var actions: [Action] {
        var actions: [Action] = []
        if let supersede { actions.append(supersede) }
        if let maintenance { actions.append(.serve(maintenance)) }
        if let candidateMaintenance { actions.append(.serve(candidateMaintenance)) }
        switch stage {
        case .train(let job): actions.append(.train(job))
        case .evaluate(let job): actions.append(.evaluate(job))
        case .package(let job): actions.append(.package(job))
        case .deploy(let job) where supersede == nil: actions.append(.serve(job))
        case .rollingOut(let progress):
            if let change = progress.change { actions.append(.rollout(model: model, revision: progress.rollout.revision, change: change)) }
        default: break
        }
        actions += retire.map { .retire(model: model, $0) }
        return actions
    }

    package var model: String
}

extension Planner {
    /// The next stage of a model, and the upkeep of what serves.
    ///
    /// - Parameter datasetCurrent: whether the model's dataset was checked at its current
    ///   fingerprint (no check planned or waiting).
    package static func decide(_ model: DesiredModel, desired: DesiredState, observed: ObservedState, datasetCurrent: Bool, now: Date) -> ModelDecision {
        var decision = decideStage(model, desired: desired, observed: observed, datasetCurrent: datasetCurrent, now: now)
        // A new fingerprint on its way (training, evaluation, …) supersedes a canary at once.
        if decision.supersede == nil, let rollout = observed.objects[ObjectKey(.model, model.name)]?.model?.rollout {
            switch decision.stage {
            case .train, .evaluate, .package, .stalled, .dataInvalid, .candidateReady:
                decision.supersede = .rollout(model: model.name, revision: rollout.revision, change: .abort(
                    reason: RolloutChange.superseded, message: "a change in Git supersedes the canary of r\(rollout.revision); traffic back to stable"))
            default:
                break
            }
        }
        return decision
    }

    private static func decideStage(_ model: DesiredModel, desired: DesiredState, observed: ObservedState, datasetCurrent: Bool, now: Date) -> ModelDecision {
        let key = ObjectKey(.model, model.name)
        let object = observed.objects[key]
        let state = object?.model ?? ModelObservation()
        let registry = observed.registries[model.name] ?? ModelRegistry(model: model.name)
        var decision = ModelDecision(stage: .waitingForData, model: model.name)
        decision.maintenance = maintenance(model, state: state, registry: registry, desired: desired, observed: observed, now: now)
        // After a blueGreen switch the old stable stays until the guard ends (or switches back to it).
        let guarded = state.rollout.flatMap { $0.phase == .switched ? $0.previousRevision : nil }
        decision.retire = state.retiring.filter { $0.until <= now && $0.revision != guarded }
        decision.wake = state.retiring.map(\.until).filter { $0 > now }.min()

        let datasetResult = observed.objects[ObjectKey(.dataset, model.dataset)]?.dataset
        guard let wanted = desired.datasets[model.dataset], let datasetResult, datasetCurrent else { return decision }
        if datasetResult.verdict == .dataInvalid {
            decision.stage = .dataInvalid(datasetResult.violations.first ?? "the data breaks its contract")
            return decision
        }
        guard let sha256 = datasetResult.sha256,
              let fingerprint = desired.fingerprints.value("training\u{0}\(model.name)\u{0}\(sha256)", {
                  ModelFingerprint.training(of: model.model, in: desired.manifests, datasetSha256: sha256, trainer: model.trainerIdentity)
              })
        else { return decision }
        decision.trainingFingerprint = fingerprint
        let data = model.trainingData(location: wanted.data, sha256: sha256)

        // 1. A version for this training fingerprint (a reverted spec finds its old one).
        guard let version = registry.version(fingerprint: fingerprint) else {
            if let stall = state.stall, stall.fingerprint == fingerprint {
                decision.stage = .stalled(stall)
                return decision
            }
            let trainer: TrainingJob.Trainer = model.builtinTrainer.map { .builtin($0) }
                ?? .command(model.model.spec.training.command ?? [], desired.workspace)
            decision.stage = .train(TrainingJob(
                model: model.name, fingerprint: fingerprint, commit: desired.commit, data: data, trainer: trainer,
                hyperparameters: model.model.spec.training.hyperparameters ?? [:], seed: model.model.spec.training.seed ?? 0,
                timeout: model.timeout, contractSha256: model.contractSha256))
            return decision
        }
        decision.version = version.number

        // 2. A revision: the version served this way, judged by these gates.
        let existing = registry.revision(version: version.number, servingFingerprint: model.servingFingerprint)
        let revisionNumber = existing?.number ?? registry.nextRevision
        decision.revision = revisionNumber
        let evaluationFingerprint = desired.fingerprints.value("evaluation\u{0}\(model.name)\u{0}\(fingerprint)") {
            Self.evaluationFingerprint(model, training: fingerprint)
        }!
        if let stall = state.stall, stall.fingerprint == evaluationFingerprint {
            decision.stage = .stalled(stall)
            return decision
        }
        guard let revision = existing, let evaluation = revision.evaluation, evaluation.fingerprint == evaluationFingerprint else {
            let launch = ServingLaunch(model: model.name, version: version.number, revision: revisionNumber, modelDirectory: version.modelDirectory,
                                       runtime: launchRuntime(model, commit: existing?.commit ?? desired.commit), autoscaling: model.autoscaling)
            var incumbent: EvaluationJob.Incumbent?
            if let rule = model.model.spec.evaluation?.incumbent, let stable = state.stableRevision, stable != revisionNumber,
               let serving = registry.revision(stable), let servingLaunch = serving.launch(in: registry) {
                incumbent = .init(rule: rule, revision: stable, launch: servingLaunch, workspace: nil)
            }
            decision.stage = .evaluate(EvaluationJob(
                model: model.name, fingerprint: evaluationFingerprint, version: version, revision: revisionNumber,
                servingFingerprint: model.servingFingerprint, launch: launch, workspace: model.servesAmongFiles ? desired.workspace : nil,
                data: data, gates: model.model.spec.evaluation?.gates ?? [], incumbent: incumbent, commit: desired.commit,
                explainability: model.model.spec.evaluation?.explainability ?? .optional))
            return decision
        }
        if !evaluation.passed {
            decision.stage = .stalled(ModelStall(phase: .gateFailed, fingerprint: evaluationFingerprint, reason: "GateFailed",
                                                 message: evaluation.failures.joined(separator: "; "), at: evaluation.evaluatedAt))
            return decision
        }

        // 3. Packaged, then served (unless the data never went through Git).
        guard version.artifactDigest != nil else {
            decision.stage = .package(PackageJob(model: model.name, version: version, revision: revision, evaluation: evaluation, data: data,
                                                 contract: wanted.contract, commitDate: nil,
                                                 annotations: model.model.metadata.annotations ?? [:]))
            return decision
        }
        if model.unpinnedURI {
            decision.stage = .candidateReady(version: version.number, revision: revision.number, sha256: sha256)
            return decision
        }
        if state.stableRevision != revision.number {
            if let stall = state.stall, stall.fingerprint == servingKey(revision.number) {
                if let rollout = state.rollout {
                    decision.supersede = .rollout(model: model.name, revision: rollout.revision, change: .abort(reason: RolloutChange.superseded, message: "r\(rollout.revision) is no longer what Git asks for"))
                }
                decision.stage = .stalled(stall)
                return decision
            }
            guard var launch = revision.launch(in: registry) else { return decision }
            launch.autoscaling = model.autoscaling  // Git's scale, like `replicas`: not the revision's
            let workspace = model.servesAmongFiles ? desired.workspace : nil
            let policy = ResolvedPolicy(model.model, in: desired.manifests)
            if let rollout = state.rollout, rollout.phase == .switched {
                // Git moved on during the guard after a blueGreen switch: the switched revision
                // stays stable and the old one warm until its scale-down; the new one rolls out
                // as if no rollout were in flight (a rollback to the old one reuses it at once).
                decision.supersede = .rollout(model: model.name, revision: rollout.revision, change: .abort(
                    reason: RolloutChange.superseded, message: "r\(revision.number) (v\(version.number)) ends the guard of r\(rollout.revision) after its switch"))
            } else if let rollout = state.rollout {
                guard rollout.revision == revision.number else {
                    // A newer fingerprint supersedes the canary: traffic back to stable first.
                    decision.supersede = .rollout(model: model.name, revision: rollout.revision, change: .abort(reason: RolloutChange.superseded,
                                                                  message: "r\(revision.number) (v\(version.number)) supersedes r\(rollout.revision); its canary starts from step 1"))
                    decision.stage = .deploy(ServingJob(model: model.name, role: .candidate, launch: launch, workspace: workspace,
                                                        replicas: model.replicas, keep: [], retire: []))
                    return decision
                }
                var progress = progress(rollout, model: model.name, policy: policy, traffic: observed.traffic,
                                        online: observed.signals[model.name]?.online(rollout.revision),
                                        experiment: observed.signals[model.name]?.experiment,
                                        concluded: state.experiment.map { $0.belongs(to: rollout) && $0.decision.isConcluded } ?? false,
                                        stable: state.stableRevision, now: now)
                let deadReplica = rollout.replicas.contains { if case .exited? = observed.replicas[$0.id] { true } else { false } }
                if deadReplica, rollout.crashes >= ModelObservation.crashLoopThreshold, progress.change?.isAbort != true {
                    // A candidate whose servers keep exiting is not rolled out any further.
                    progress.change = .abort(reason: "CrashLoop", message: "r\(rollout.revision)'s server exited \(rollout.crashes + 1) times in a row")
                }
                decision.stage = .rollingOut(progress)
                decision.wake = [decision.wake, progress.wake, rollout.nextRestartAt.flatMap { $0 > now ? $0 : nil }].compactMap { $0 }.min()
                decision.candidateMaintenance = candidateMaintenance(model, rollout: rollout, launch: launch, workspace: workspace, observed: observed, now: now)
                return decision
            }
            let fastRollback = recentStable(registry, excluding: state.stableRevision, window: policy.rollbackWindow).contains(revision.number)
            if state.stableRevision == nil || policy.steps.isEmpty || fastRollback {
                // All at once: a first revision, `replace`, or a rollback to a recent stable one
                // (warm replicas of it, kept after a promotion, take traffic at once).
                let warm = state.retiring.filter { $0.revision == revision.number }.flatMap(\.replicas).filter {
                    if case .ready? = observed.replicas[$0.id] { true } else { false }
                }
                let kept = Array(warm.prefix(model.replicas))
                let leftover = state.retiring.filter { $0.revision == revision.number }.flatMap(\.replicas).filter { !kept.contains($0) }
                decision.stage = .deploy(ServingJob(model: model.name, launch: launch, workspace: workspace, replicas: model.replicas,
                                                    keep: kept, retire: state.replicas + leftover))
                decision.maintenance = nil  // the deploy replaces what serves
                decision.retire = decision.retire.filter { $0.revision != revision.number }
                return decision
            }
            decision.stage = .deploy(ServingJob(model: model.name, role: .candidate, launch: launch, workspace: workspace,
                                                replicas: model.replicas, keep: [], retire: []))
            return decision
        }
        if let rollout = state.rollout, rollout.phase == .switched, rollout.revision == revision.number {
            // blueGreen after the switch: judged until scaleDownDelay ends, or switched back.
            let progress = progress(rollout, model: model.name, policy: ResolvedPolicy(model.model, in: desired.manifests), traffic: observed.traffic,
                                    online: observed.signals[model.name]?.online(rollout.revision), now: now)
            decision.stage = .rollingOut(progress)
            decision.wake = [decision.wake, progress.wake].compactMap { $0 }.min()
            return decision
        }
        if let rollout = state.rollout {
            // Git went back to the stable revision mid-rollout.
            decision.supersede = .rollout(model: model.name, revision: rollout.revision, change: .abort(reason: RolloutChange.superseded, message: "Git asks for r\(revision.number), which serves; the canary of r\(rollout.revision) ends"))
        }
        decision.stage = .serving
        return decision
    }

    /// Restarts a rollout's dead candidate replicas after their backoff (the gateway sends
    /// their share to stable meanwhile, counting the failures against the candidate).
    static func candidateMaintenance(_ model: DesiredModel, rollout: Rollout, launch: ServingLaunch, workspace: Workspace?, observed: ObservedState,
                                     now: Date) -> ServingJob? {
        let alive = rollout.replicas.filter { if case .exited? = observed.replicas[$0.id] { false } else { true } }
        guard alive.count < rollout.replicas.count || alive.count < model.replicas else { return nil }
        if alive.count < rollout.replicas.count {
            guard rollout.crashes < ModelObservation.crashLoopThreshold else { return nil }
            if let due = rollout.nextRestartAt, due > now { return nil }
        }
        return ServingJob(model: model.name, role: .candidate, launch: launch, workspace: workspace, replicas: model.replicas,
                          keep: Array(alive.prefix(model.replicas)), retire: Array(alive.dropFirst(model.replicas)))
    }

    /// The fingerprint of an evaluation: the version, the serving path and the bar.
    static func evaluationFingerprint(_ model: DesiredModel, training: String) -> String {
        struct Input: Encodable {
            var training: String
            var serving: String
            var gates: [[String: String]]
            var incumbent: [String: String]?
            /// Absent unless `required`, so revisions judged before it existed keep their fingerprint.
            var explainability: String?
        }
        func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        let evaluation = model.model.spec.evaluation
        let gates = (evaluation?.gates ?? []).map {
            ["metric": $0.metric.rawValue, "min": text($0.min), "max": text($0.max), "sensitiveFeature": $0.sensitiveFeature ?? ""]
        }
        let incumbent = evaluation?.incumbent.map { ["metric": $0.metric.rawValue, "maxRegression": text($0.maxRegression ?? 0)] }
        return Fingerprint.of("sextant.evaluation/1", Input(training: training, serving: model.servingFingerprint, gates: gates, incumbent: incumbent,
                                                             explainability: evaluation?.explainability == .required ? Explainability.required.rawValue : nil))
    }

    /// What a failed deploy of a revision stalls on.
    package static func servingKey(_ revision: Int) -> String { "serve:r\(revision)" }

    static func launchRuntime(_ model: DesiredModel, commit: String) -> ServingLaunch.Runtime {
        let serving = model.model.spec.serving
        return switch model.servingRuntime {
        case .builtin: .builtin
        case .command: .command(serving?.command ?? [], env: serving?.env ?? [:], commit: commit)
        case .rayServe: .rayServe(importPath: serving?.importPath ?? "", env: serving?.env ?? [:], commit: commit)
        }
    }

    /// Restarts dead replicas of the stable revision (after their backoff) and scales it
    /// to `replicas`, or to another `autoscaling` than its replicas were started with.
    static func maintenance(_ model: DesiredModel, state: ModelObservation, registry: ModelRegistry, desired: DesiredState,
                            observed: ObservedState, now: Date) -> ServingJob? {
        guard let stable = state.stableRevision, let revision = registry.revision(stable), var launch = revision.launch(in: registry) else { return nil }
        let alive = state.replicas.filter { replica in
            if case .exited? = observed.replicas[replica.id] { return false }
            return replica.revision == stable
        }
        let wanted = model.replicas
        let rescaled = launch.autoscaling != model.autoscaling
        launch.autoscaling = model.autoscaling
        let healthy = alive.count == state.replicas.count && alive.count == wanted && !rescaled
        if healthy { return nil }
        if alive.count < wanted, let due = state.nextRestartAt, due > now { return nil }
        return ServingJob(model: model.name, launch: launch, workspace: nil, replicas: wanted, keep: Array(alive.prefix(wanted)),
                          retire: Array(alive.dropFirst(wanted)))
    }

    /// The models' actions, after the datasets'.
    static func planModels(_ desired: DesiredState, observed: ObservedState, plan: inout Plan, now: Date) {
        let pendingDatasets = Set(plan.actions.map(\.key).filter { $0.kind == .dataset }.map(\.name))
        for name in desired.models.keys.sorted() {
            let model = desired.models[name]!
            let datasetKey = ObjectKey(.dataset, model.dataset)
            let current = !pendingDatasets.contains(model.dataset) && plan.retries[datasetKey] == nil
            let decision = decide(model, desired: desired, observed: observed, datasetCurrent: current, now: now)
            let key = ObjectKey(.model, name)
            let failure = observed.objects[key]?.failure
            // Proposals to Git wait for nothing else the model does.
            let proposals = (observed.objects[key]?.model?.proposals ?? []).map(Action.propose)
            for action in decision.actions + proposals {
                if let failure, failure.fingerprint == action.fingerprint, failure.nextAttemptAt > now {
                    plan.retries[key] = failure.nextAttemptAt
                    continue
                }
                plan.actions.append(action)
            }
            if let wake = decision.wake { plan.retries[key] = min(plan.retries[key] ?? wake, wake) }
            // A restart waiting for its backoff: wake up when it is due.
            if let state = observed.objects[key]?.model, state.stableRevision != nil, decision.maintenance == nil,
               let due = state.nextRestartAt, due > now,
               state.replicas.filter({ if case .exited? = observed.replicas[$0.id] { false } else { true } }).count < model.replicas {
                plan.retries[key] = min(plan.retries[key] ?? due, due)
            }
        }
    }
}

extension ModelRevision {
    /// How to start this revision again (a restart, or as the incumbent).
    package func launch(in registry: ModelRegistry) -> ServingLaunch? {
        guard var launch = servingLaunch, let version = registry.version(version) else { return nil }
        launch.modelDirectory = version.modelDirectory
        return launch
    }
}
