import Foundation
import SextantAPI
import SextantWire

extension StatusModel {
    /// A model's two axes (DESIGN §3): `sync` — does the newest revision serve?; `health` —
    /// how is what serves?; and the phase of the way there.
    static func modelStatus(_ key: ObjectKey, desired: DesiredState, _ inputs: Inputs, createdAt: Date) -> ObjectStatus {
        let now = inputs.now
        var status = ObjectStatus(kind: .model, name: key.name, sync: .outOfSync, health: .missing, phase: .pending,
                                  message: "", createdAt: createdAt, model: .init(traffic: []))
        guard let model = desired.models[key.name] else {
            status.health = .unknown
            status.message = "the model's dataset or contract table is missing"
            return status
        }
        let observed = inputs.observed
        let object = observed.objects[key]
        let state = object?.model ?? ModelObservation()
        let registry = observed.registries[key.name] ?? ModelRegistry(model: key.name)
        let datasetKey = ObjectKey(.dataset, model.dataset)
        let datasetCurrent = !inputs.plan.actions.contains { $0.key == datasetKey } && inputs.plan.retries[datasetKey] == nil
            && observed.objects[datasetKey]?.fingerprint != nil
        let decision = Planner.decide(model, desired: desired, observed: observed, datasetCurrent: datasetCurrent, now: now)
        status.model?.pullRequests = state.pullRequests
        status.model?.experiment = experimentReport(model, state, observed, desired: desired, now: now)

        // What serves.
        if let stable = state.stableRevision, let revision = registry.revision(stable) {
            status.model?.stableRevision = stable
            status.model?.stableVersion = revision.version
            for share in state.trafficSplit(stableVersion: revision.version) {
                // The stable revision's counters since the gateway started; a candidate's in its sample window.
                let counters = share.role == .stable ? observed.traffic?.counters(model: key.name, revision: share.revision)
                    : state.rollout?.window.samples(model: key.name, revision: share.revision, traffic: observed.traffic)
                status.model?.traffic.append(TrafficEntry(revision: share.revision, version: share.version, role: share.role.rawValue, weight: share.weight,
                                                          counters: counters, mirrorPercent: share.mirrorPercent,
                                                          resources: observed.resources[RevisionKey(key.name, share.revision)]?.status))
            }
            if let rollout = state.rollout, rollout.phase != .switched, let header = ResolvedPolicy(model.model, in: desired.manifests).headerRoute {
                status.model?.traffic.append(TrafficEntry(revision: rollout.revision, version: rollout.version, role: "header", weight: 0, headerRoute: header))
            }
            status.model?.endpoints = (state.replicas + (state.rollout?.replicas ?? [])).map(\.endpoint)
            status.model?.replicas = replicaStatuses(state, model: key.name, observed)
            status.health = .healthy
            let dead = state.replicas.filter { if case .exited? = observed.replicas[$0.id] { true } else { false } }
            if state.crashes >= ModelObservation.crashLoopThreshold, !dead.isEmpty || state.nextRestartAt.map({ $0 > now }) == true {
                status.health = .degraded
                status.conditions.append(StatusCondition(
                    type: "CrashLoop", status: "True", reason: "CrashLoop",
                    message: "r\(stable)'s server exited \(state.crashes) times in a row (\(state.lastCrash ?? "a replica")); next restart at \(state.nextRestartAt.map(iso8601) ?? "once due")",
                    lastTransitionTime: now))
            } else if !dead.isEmpty {
                status.health = .progressing
            }
            if let signals = observed.signals[key.name] {
                status.model?.online = signals.online
                status.model?.liveContract = signals.liveContract
                if let invalid = signals.liveContract?.invalid {
                    status.conditions.append(StatusCondition(type: "LiveDataInvalid", status: "True", reason: "ContractViolated",
                                                             message: "logged inputs break the data contract: \(invalid)", lastTransitionTime: now))
                }
                if let drift = signals.drift {
                    status.model?.drift = drift
                    status.conditions.append(driftCondition(drift, recorded: state.drift))
                }
            }
            if model.model.spec.evaluation?.incumbent != nil, let evaluation = revision.evaluation, evaluation.incumbent == nil,
               registry.revisions.filter(\.wasStable).count <= 1 {
                status.conditions.append(StatusCondition(type: "NoIncumbent", status: "True", reason: "FirstRevision",
                                                         message: "r\(stable) is the model's first served revision: the incumbent gate was skipped",
                                                         lastTransitionTime: now))
            }
        }
        retrainStatus(model, state, into: &status, now: now)
        if decision.version != nil, decision.revision != state.stableRevision {
            status.model?.candidateVersion = decision.version
            status.model?.candidateRevision = registry.revision(decision.revision ?? 0) != nil || decision.stageIsPast(.evaluation) ? decision.revision : nil
        }
        let serving = state.stableRevision.map { "r\($0) keeps serving" } ?? "nothing serves yet"

        switch decision.stage {
        case .waitingForData:
            status.phase = .validatingData
            status.message = "waiting for dataset \(model.dataset) to be checked"
        case .dataInvalid(let violation):
            status.phase = .dataInvalid
            status.message = "dataset \(model.dataset) breaks its contract: \(violation); \(serving)"
            status.conditions.append(stalled("DataInvalid", "fix the data or the contract of dataset \(model.dataset) in Git", now))
        case .train(let job):
            status.phase = .training
            status.message = "training v\(registry.nextVersion) with \(job.trainerName) on dataset \(model.dataset) (sha256 \(job.data.sha256.prefix(12))); \(serving)"
        case .evaluate(let job):
            status.phase = .evaluating
            status.message = "evaluating r\(job.revision) (v\(job.version.number)) on \(job.version.holdoutRows) holdout rows through its server"
                + (job.incumbent.map { " against r\($0.revision)" } ?? "") + "; \(serving)"
        case .package(let job):
            status.phase = .packaging
            status.message = "packaging v\(job.version.number) as a ModelPack artifact; \(serving)"
        case .deploy(let job):
            status.phase = .rollingOut
            status.message = "starting \(job.replicas) replica\(job.replicas == 1 ? "" : "s") of r\(job.launch.revision) (v\(job.launch.version))"
                + (job.role == .candidate ? " as a canary" : "") + "; \(serving)"
            if state.stableRevision == nil || job.role == .candidate { status.health = .progressing }
        case .rollingOut(let progress):
            let rollout = progress.rollout
            let policy = ResolvedPolicy(model.model, in: desired.manifests)
            status.phase = .rollingOut
            if status.health == .healthy { status.health = rollout.suspended == nil ? .progressing : .suspended }
            let samples = progress.analysis.map { ", \($0.progress)" } ?? ""
            let candidate = "r\(rollout.revision) (v\(rollout.version))"
            let samplesInWindow = rollout.window.samples(model: key.name, revision: rollout.revision, traffic: observed.traffic)
            let agreement = samplesInWindow?.agreement.map(RolloutStatus.AgreementStatus.init)
            let warmUntil = rollout.phase == .switched ? state.retiring.first { $0.revision == rollout.previousRevision }?.until : nil
            let step = policy.steps.indices.contains(rollout.step) ? policy.steps[rollout.step] : nil
            let pauseUntil = step.flatMap { step in
                if case .seconds(let seconds) = step.pause { rollout.stepStartedAt.addingTimeInterval(seconds) } else { nil }
            }
            switch rollout.phase {
            case .canary:
                let pauseLeft = pauseUntil.map { Int($0.timeIntervalSince(now).rounded(.up)) }.flatMap { $0 > 0 ? ", pause \($0) s left" : nil } ?? ""
                status.message = "step \(rollout.step + 1)/\(progress.steps): \(rollout.weight)% to \(candidate)\(samples)\(pauseLeft)"
            case .shadow, .preview:
                let held = Int(now.timeIntervalSince(rollout.stepStartedAt))
                let hold = policy.steps.indices.contains(rollout.step) ? policy.steps[rollout.step].pause : .none
                let of = if case .seconds(let seconds) = hold { " of \(Int(seconds)) s" } else { "" }
                status.message = "\(rollout.phase == .shadow ? "shadow" : "preview"): \(rollout.mirrorPercent ?? 100)% of requests mirrored to \(candidate) for \(held) s\(of)\(samples)"
                    + "; \(agreement?.summary ?? "no answers compared yet")"
            case .experiment:
                // A decided experiment (a winner waiting under `decision: report`) keeps its numbers.
                let concluded = state.experiment.flatMap { $0.belongs(to: rollout) && $0.decision.isConcluded ? $0 : nil }
                let report = (inputs.observed.signals[key.name]?.experiment).flatMap { $0.belongs(to: rollout) ? $0 : nil }
                let numbers = concluded ?? report.map { report in policy.experiment.map { report.judged($0, now: now) } ?? report }
                status.message = "experiment: \(rollout.weight)% of \(policy.experiment?.unitHeader.map { "units by \($0)" } ?? "requests") to \(candidate)"
                    + "; " + (numbers?.verdict ?? "no KPI values yet") + samples
            case .switched:
                status.message = "switched to \(candidate)\(samples)"
                    + (rollout.previousRevision.map { previous in
                        "; r\(previous) stays warm" + (warmUntil.map { " until \(iso8601($0))" } ?? "") + " and takes all traffic back on a failed verdict"
                    } ?? "")
            }
            status.message += rollout.suspended.map { "; paused: \($0)" } ?? ""
            if let analysis = progress.analysis {
                let (conditionStatus, reason) = switch analysis.verdict {
                case .passed: ("True", "Passed")
                case .failed: ("False", "Failed")
                case .inconclusive: ("Unknown", "Inconclusive")
                }
                status.conditions.append(StatusCondition(
                    type: "Analysis", status: conditionStatus, reason: reason,
                    message: analysis.judgements.isEmpty ? "no SLO to judge: steps advance on time alone" : analysis.judgements.map(\.summary).joined(separator: "; "),
                    lastTransitionTime: rollout.window.startedAt))
            }
            status.model?.rollout = RolloutStatus(
                strategy: policy.strategy.rawValue, policy: policy.name, phase: rollout.phase,
                mirrorPercent: rollout.phase == .shadow || rollout.phase == .preview ? rollout.mirrorPercent ?? 100 : nil,
                agreement: rollout.phase == .shadow || rollout.phase == .preview ? agreement : nil,
                previousRevision: rollout.previousRevision, switchBackUntil: warmUntil, step: rollout.step + 1, steps: progress.steps, weight: rollout.weight,
                failures: rollout.failures, paused: rollout.suspended != nil, stepStartedAt: rollout.stepStartedAt, verdict: progress.analysis?.verdict.rawValue,
                objectives: (progress.analysis?.judgements ?? []).map {
                    .init(slo: $0.objective.slo, objective: $0.objective.name, target: $0.objective.target, samples: $0.samples, bad: $0.bad,
                          required: $0.required, verdict: $0.verdict.rawValue,
                          value: $0.samples > 0 ? Double($0.samples - $0.bad) / Double($0.samples) : nil)
                },
                policySteps: policy.steps.enumerated().map { index, step in
                    .init(number: index + 1, step, state: index < rollout.step ? .done : index == rollout.step ? .current : .pending)
                },
                pauseUntil: pauseUntil,
                stepDeadline: rollout.phase == .switched ? nil : max(rollout.stepStartedAt, rollout.window.startedAt).addingTimeInterval(policy.maxStepDuration),
                failureLimit: policy.failureLimit)
        case .stalled(let stall):
            status.phase = ObjectPhase(stall.phase)
            status.message = "\(stall.message); \(serving)"
            let what = switch stall.phase {
            case .trainingFailed: "fix the trainer, its data or its spec in Git, then it trains again; or run `sextant retry \(key.name)`"
            case .gateFailed: "change the model or its gates in Git, or run `sextant retry \(key.name)` to evaluate it again"
            case .rolloutAborted: "change the model in Git, or run `sextant retry \(key.name)`"
            }
            status.conditions.append(stalled(stall.reason, what, now))
            if stall.phase == .rolloutAborted { status.health = .degraded }
        case .candidateReady(let version, let revision, let sha256):
            status.phase = .candidateReady
            status.message = "v\(version) (r\(revision)) passed its gates but its data comes from an unpinned uri: and is never deployed; pin sha256: \(sha256) in dataset \(model.dataset) in Git to deploy it; \(serving)"
            status.conditions.append(stalled("UnpinnedData", "pin spec.sha256: \(sha256) in dataset \(model.dataset)", now))
        case .serving:
            let revision = registry.revision(decision.revision ?? 0)
            status.phase = .serving
            let metrics = revision?.evaluation.map { evaluation in
                evaluation.gates.map { "\($0.metric) \($0.value.map(formatMetric) ?? "n/a")" }.prefix(4).joined(separator: ", ")
            } ?? ""
            status.message = "r\(decision.revision ?? 0) (v\(decision.version ?? 0)) serves 100% on \(state.replicas.count) replica\(state.replicas.count == 1 ? "" : "s")"
                + (metrics.isEmpty ? "" : "; \(metrics)")
            if decision.maintenance == nil { status.sync = .synced }
        }
        if let failure = object?.failure, let retry = inputs.plan.retries[key] {
            status.conditions.append(StatusCondition(type: "ReconcileError", status: "True", reason: "ActionFailed",
                                                     message: "\(failure.message); attempt \(failure.attempts), retrying at \(iso8601(retry))",
                                                     lastTransitionTime: now))
        }
        return status
    }

    /// The stable, candidate and retiring servers, with what the last probe found and what
    /// they used at the last sample.
    private static func replicaStatuses(_ state: ModelObservation, model: String, _ observed: ObservedState) -> [ReplicaStatus] {
        func status(_ replica: Replica, role: String, crashes: Int) -> ReplicaStatus {
            ReplicaStatus(replica, role: role, health: observed.replicas[replica.id], crashes: crashes,
                          resources: observed.resources[RevisionKey(model, replica.revision)]?.replicas[replica.id])
        }
        var replicas = state.replicas.map { status($0, role: "stable", crashes: state.crashes) }
        if let rollout = state.rollout {
            replicas += rollout.replicas.map { status($0, role: rollout.role.rawValue, crashes: rollout.crashes) }
        }
        for retiring in state.retiring {
            replicas += retiring.replicas.map { status($0, role: "retiring", crashes: 0) }
        }
        return replicas
    }

    private static func stalled(_ reason: String, _ message: String, _ now: Date) -> StatusCondition {
        StatusCondition(type: "Stalled", status: "True", reason: reason, message: message, lastTransitionTime: now)
    }
}

extension ModelDecision {
    enum Milestone { case evaluation }

    /// Whether the decision is at or past a milestone (a revision number is then real).
    func stageIsPast(_ milestone: Milestone) -> Bool {
        switch stage {
        case .evaluate, .package, .deploy, .candidateReady, .serving: true
        case .stalled(let stall): stall.phase != .trainingFailed
        default: false
        }
    }
}

extension StatusModel {
    /// The running experiment's numbers with the decision they would take now, else the
    /// last experiment that decided.
    static func experimentReport(_ model: DesiredModel, _ state: ModelObservation, _ observed: ObservedState, desired: DesiredState, now: Date) -> ExperimentReport? {
        if let rollout = state.rollout, rollout.phase == .experiment {
            if let concluded = state.experiment, concluded.belongs(to: rollout) { return concluded }
            let settings = ResolvedPolicy(model.model, in: desired.manifests).experiment
            let live = observed.signals[model.name]?.experiment.flatMap { $0.belongs(to: rollout) ? $0 : nil }
            guard let settings else { return live }
            let report = live ?? state.stableRevision.map {
                ExperimentQuery(settings: settings, stable: $0, candidate: rollout.revision, since: rollout.startedAt)
                    .emptyReport(model: model.name, message: "no KPI values measured yet")
            }
            return report?.judged(settings, now: now)
        }
        return state.experiment
    }
}
