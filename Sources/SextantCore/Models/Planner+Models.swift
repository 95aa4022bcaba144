public import Foundation
import SextantAPI

/// Where a model stands in its lifecycle, decided purely from desired and observed state:
/// what the planner acts on and what status reports.
public struct ModelDecision: Sendable, Hashable {
    public enum Stage: Sendable, Hashable {
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
        /// The newest revision serves.
        case serving
    }

    public var stage: Stage
    public var trainingFingerprint: String?
    /// The version and revision Git asks for, once they exist.
    public var version: Int?
    public var revision: Int?
    /// Bringing the stable revision's replicas back (crash, replicas changed).
    public var maintenance: ServingJob?

    /// The actions this decision takes, in order.
    public var actions: [Action] {
        var actions: [Action] = []
        if let maintenance { actions.append(.serve(maintenance)) }
        switch stage {
        case .train(let job): actions.append(.train(job))
        case .evaluate(let job): actions.append(.evaluate(job))
        case .package(let job): actions.append(.package(job))
        case .deploy(let job): actions.append(.serve(job))
        default: break
        }
        return actions
    }
}

extension Planner {
    /// The next stage of a model, and the upkeep of what serves.
    ///
    /// - Parameter datasetCurrent: whether the model's dataset was checked at its current
    ///   fingerprint (no check planned or waiting).
    public static func decide(_ model: DesiredModel, desired: DesiredState, observed: ObservedState, datasetCurrent: Bool, now: Date) -> ModelDecision {
        let key = ObjectKey(.model, model.name)
        let object = observed.objects[key]
        let state = object?.model ?? ModelObservation()
        let registry = observed.registries[model.name] ?? ModelRegistry(model: model.name)
        var decision = ModelDecision(stage: .waitingForData)
        decision.maintenance = maintenance(model, state: state, registry: registry, desired: desired, observed: observed, now: now)

        let datasetResult = observed.objects[ObjectKey(.dataset, model.dataset)]?.dataset
        guard let wanted = desired.datasets[model.dataset], let datasetResult, datasetCurrent else { return decision }
        if datasetResult.verdict == .dataInvalid {
            decision.stage = .dataInvalid(datasetResult.violations.first ?? "the data breaks its contract")
            return decision
        }
        guard let sha256 = datasetResult.sha256,
              let fingerprint = ModelFingerprint.training(of: model.model, in: desired.manifests, datasetSha256: sha256, trainer: model.trainerIdentity)
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
        let evaluationFingerprint = evaluationFingerprint(model, training: fingerprint)
        if let stall = state.stall, stall.fingerprint == evaluationFingerprint {
            decision.stage = .stalled(stall)
            return decision
        }
        guard let revision = existing, let evaluation = revision.evaluation, evaluation.fingerprint == evaluationFingerprint else {
            let launch = ServingLaunch(model: model.name, version: version.number, revision: revisionNumber,
                                       modelDirectory: version.modelDirectory, runtime: launchRuntime(model, commit: existing?.commit ?? desired.commit))
            var incumbent: EvaluationJob.Incumbent?
            if let rule = model.model.spec.evaluation?.incumbent, let stable = state.stableRevision, stable != revisionNumber,
               let serving = registry.revision(stable), let servingLaunch = serving.launch(in: registry) {
                incumbent = .init(rule: rule, revision: stable, launch: servingLaunch, workspace: nil)
            }
            decision.stage = .evaluate(EvaluationJob(
                model: model.name, fingerprint: evaluationFingerprint, version: version, revision: revisionNumber,
                servingFingerprint: model.servingFingerprint, launch: launch, workspace: model.servingRuntime == .command ? desired.workspace : nil,
                data: data, gates: model.model.spec.evaluation?.gates ?? [], incumbent: incumbent, commit: desired.commit))
            return decision
        }
        if !evaluation.passed {
            decision.stage = .stalled(ModelStall(phase: "GateFailed", fingerprint: evaluationFingerprint, reason: "GateFailed",
                                                 message: evaluation.failures.joined(separator: "; "), at: evaluation.evaluatedAt))
            return decision
        }

        // 3. Packaged, then served (unless the data never went through Git).
        guard version.artifactDigest != nil else {
            decision.stage = .package(PackageJob(model: model.name, version: version, revision: revision, evaluation: evaluation, data: data,
                                                 contract: wanted.contract, commitDate: nil))
            return decision
        }
        if model.unpinnedURI {
            decision.stage = .candidateReady(version: version.number, revision: revision.number, sha256: sha256)
            return decision
        }
        if state.stableRevision != revision.number {
            if let stall = state.stall, stall.fingerprint == servingKey(revision.number) {
                decision.stage = .stalled(stall)
                return decision
            }
            guard let launch = revision.launch(in: registry) else { return decision }
            decision.stage = .deploy(ServingJob(model: model.name, launch: launch, workspace: model.servingRuntime == .command ? desired.workspace : nil,
                                                replicas: model.replicas, keep: [], retire: state.replicas))
            decision.maintenance = nil  // the deploy replaces what serves
            return decision
        }
        decision.stage = .serving
        return decision
    }

    /// The fingerprint of an evaluation: the version, the serving path and the bar.
    static func evaluationFingerprint(_ model: DesiredModel, training: String) -> String {
        struct Input: Encodable {
            var training: String
            var serving: String
            var gates: [[String: String]]
            var incumbent: [String: String]?
        }
        func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        let evaluation = model.model.spec.evaluation
        let gates = (evaluation?.gates ?? []).map {
            ["metric": $0.metric.rawValue, "min": text($0.min), "max": text($0.max), "sensitiveFeature": $0.sensitiveFeature ?? ""]
        }
        let incumbent = evaluation?.incumbent.map { ["metric": $0.metric.rawValue, "maxRegression": text($0.maxRegression ?? 0)] }
        return Fingerprint.of("sextant.evaluation/1", Input(training: training, serving: model.servingFingerprint, gates: gates, incumbent: incumbent))
    }

    /// What a failed deploy of a revision stalls on.
    public static func servingKey(_ revision: Int) -> String { "serve:r\(revision)" }

    static func launchRuntime(_ model: DesiredModel, commit: String) -> ServingLaunch.Runtime {
        switch model.servingRuntime {
        case .builtin: .builtin
        case .command: .command(model.model.spec.serving?.command ?? [], env: model.model.spec.serving?.env ?? [:], commit: commit)
        }
    }

    /// Restarts dead replicas of the stable revision (after their backoff) and scales it
    /// to `replicas`.
    static func maintenance(_ model: DesiredModel, state: ModelObservation, registry: ModelRegistry, desired: DesiredState,
                            observed: ObservedState, now: Date) -> ServingJob? {
        guard let stable = state.stableRevision, let revision = registry.revision(stable), let launch = revision.launch(in: registry) else { return nil }
        let alive = state.replicas.filter { replica in
            if case .exited? = observed.replicas[replica.pid] { return false }
            return replica.revision == stable
        }
        let wanted = model.replicas
        let healthy = alive.count == state.replicas.count && alive.count == wanted
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
            for action in decision.actions {
                if let failure, failure.fingerprint == action.fingerprint, failure.nextAttemptAt > now {
                    plan.retries[key] = failure.nextAttemptAt
                    continue
                }
                plan.actions.append(action)
            }
            // A restart waiting for its backoff: wake up when it is due.
            if let state = observed.objects[key]?.model, state.stableRevision != nil, decision.maintenance == nil,
               let due = state.nextRestartAt, due > now,
               state.replicas.filter({ if case .exited? = observed.replicas[$0.pid] { false } else { true } }).count < model.replicas {
                plan.retries[key] = min(plan.retries[key] ?? due, due)
            }
        }
    }
}

extension ModelRevision {
    /// How to start this revision again (a restart, or as the incumbent).
    public func launch(in registry: ModelRegistry) -> ServingLaunch? {
        guard var launch = servingLaunch, let version = registry.version(version) else { return nil }
        launch.modelDirectory = version.modelDirectory
        return launch
    }
}
