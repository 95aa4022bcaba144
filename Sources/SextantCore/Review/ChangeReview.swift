package import Foundation
package import SextantAPI
import SextantYAML

/// What a change to the desired state will do, object by object: `sextant plan`. Pure:
/// consequences come from the same planner the reconciler runs.
package struct ChangeReview: Sendable, Codable {
    package struct Revision: Sendable, Codable, Hashable {
        /// What the side is: a ref, `applied`, …
        package var label: String
        package var commit: String?

        package init(label: String, commit: String?) {
            self.label = label
            self.commit = commit
        }
    }

    package var base: Revision
    package var head: Revision
    /// The head's problems, when it does not load or validate (then nothing else is known).
    package var errors: [String]
    package var objects: [ObjectReview]

    package init(base: Revision, head: Revision, errors: [String] = [], objects: [ObjectReview] = []) {
        self.base = base
        self.head = head
        self.errors = errors
        self.objects = objects
    }

    package var isValid: Bool { errors.isEmpty }
    package var hasChanges: Bool { !objects.isEmpty }
    package var breakingCount: Int { objects.filter(\.breaking).count }
}

/// One object's change and its consequences.
package struct ObjectReview: Sendable, Codable, Hashable {
    package enum Change: String, Sendable, Codable, Hashable {
        case added, removed, modified
        /// The manifest is the same; the data it points at changed (its SHA-256).
        case dataChanged
        /// The manifest and the data are the same; the contract they are checked against changed.
        case contractChanged
        /// The manifest is the same; both the data and its contract changed.
        case dataAndContractChanged
        /// Neither its manifest nor its dataset changed, yet the reconciler acts on it (a
        /// trainer's code changed, a check not finished since it was applied).
        case inputsChanged
    }

    package var kind: ManifestKind
    package var name: String
    package var change: Change
    /// Where the object is defined at head (or at base when removed).
    package var file: String
    package var fields: [FieldChange]
    package var consequences: [String]
    /// True when data that was accepted may now be rejected.
    package var breaking: Bool
    /// What will really happen, when it can be predicted (datasets and models).
    package var outcome: Outcome?
    /// A model's traffic now, from the store: empty when nothing serves, nil when no store
    /// was read.
    package var serving: [TrafficEntry]?
    /// The unified diff of the object's manifest file (`file`), base to head; nil when the
    /// file did not change.
    package var diff: String?

    package init(kind: ManifestKind, name: String, change: Change, file: String, fields: [FieldChange], consequences: [String], breaking: Bool,
                outcome: Outcome? = nil, serving: [TrafficEntry]? = nil, diff: String? = nil) {
        self.kind = kind
        self.name = name
        self.change = change
        self.file = file
        self.fields = fields
        self.consequences = consequences
        self.breaking = breaking
        self.outcome = outcome
        self.serving = serving
        self.diff = diff
    }
}

extension ChangeReview {
    /// Compares desired states, and predicts what the reconciler will really do with the head.
    ///
    /// - Parameters:
    ///   - base: the desired state before (the applied commit, or a pull request's base);
    ///     nil when nothing was applied yet.
    ///   - observed: what the reconciler has done; nil to assume the base was fully
    ///     reconciled (pull requests).
    ///   - data: what each head dataset's check will find, by dataset name (computed by the
    ///     caller from the head's data; a dataset without one gets no outcome).
    ///   - serving: each model's traffic now, from the store; nil when no store was read.
    package static func compare(base: DesiredState?, head: DesiredState, observed: ObservedState?, prune: Bool, now: Date,
                               data: [String: DataForecast] = [:], serving: [String: [TrafficEntry]]? = nil) -> [ObjectReview] {
        let before = Dictionary((base?.manifests.all ?? []).map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(head.manifests.all.map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let state = observed ?? base.map(reconciledObservation) ?? ObservedState()
        let plan = Planner.plan(desired: head, observed: state, now: now, options: .init(prune: prune))
        var planned: [ObjectKey: [Action]] = [:]
        for action in plan.actions { planned[action.key, default: []].append(action) }
        let prediction = Prediction(base: base, head: head, state: state, fromStore: observed != nil, planned: planned, data: data)

        var reviews: [ObjectReview] = []
        for key in Set(before.keys).union(after.keys).union(planned.keys).sorted() {
            let old = before[key], new = after[key]
            // Manifests keep their text, not their tree: parse only the documents whose text changed.
            let fields = old?.text == new?.text ? [] : FieldDiff.changes(from: old.map { JSONValue($0.document.root) }, to: new.map { JSONValue($0.document.root) })
            var consequences: [String] = []
            var breaking = false
            var outcome: Outcome?
            for action in planned[key] ?? [] {
                switch action {
                case .checkDataset(let check):
                    consequences.append(checkReason(check, base: base?.datasets[key.name], head: head.datasets[key.name],
                                                    inputs: prediction.inputs(ofDataset: key.name)))
                    outcome = prediction.datasetOutcome(check)
                case .prune:
                    consequences.append("removed from Git: Sextant forgets it (its history and events are kept)")
                case .stopServing:
                    consequences.append("its serving processes stop")
                case .rollout(_, _, let change):
                    if case .abort(_, let message) = change { consequences.append(message) }
                case .retire, .propose:
                    break
                case .train, .evaluate, .package, .serve, .retrain:
                    break  // said below, from the fingerprints' inputs
                }
            }
            if new == nil, planned[key] == nil {
                consequences.append(prune || key.kind != .dataset ? "removed from Git" : "removed from Git; kept because --prune=false")
            }
            if case .dataContract(let previous)? = old?.manifest, case .dataContract(let current)? = new?.manifest {
                for finding in ContractReview.findings(before: previous, after: current) {
                    consequences.append((finding.breaking ? "breaking: " : "") + finding.message)
                    breaking = breaking || finding.breaking
                }
                let readers = head.manifests.datasets.filter { head.manifests.contract(named: $0.spec.contract)?.id == current.id }.map(\.metadata.name)
                if !readers.isEmpty, !fields.isEmpty {
                    consequences.append("datasets checked against it: \(readers.sorted().joined(separator: ", "))")
                }
            }
            if key.kind == .model, let model = head.models[key.name] {
                let story = modelConsequences(base: base, head: head, name: key.name, model: model, observed: state)
                let predicted = prediction.modelOutcome(model, story: story)
                outcome = predicted.outcome
                consequences += predicted.consequences
            }
            guard !fields.isEmpty || !consequences.isEmpty || outcome != nil else { continue }
            let change: ObjectReview.Change = old == nil ? .added : new == nil ? .removed : !fields.isEmpty ? .modified
                : prediction.inputChange(of: key)
            let traffic = key.kind == .model && new != nil ? serving.map { $0[key.name] ?? [] } : nil
            reviews.append(ObjectReview(kind: key.kind, name: key.name, change: change, file: (new ?? old)?.file ?? "",
                                        fields: fields, consequences: consequences, breaking: breaking, outcome: outcome, serving: traffic))
        }
        return reviews
    }

    /// What the reconciler would have observed after converging on `base`: every dataset
    /// checked with base's inputs.
    static func reconciledObservation(of base: DesiredState) -> ObservedState {
        let epoch = Date(timeIntervalSince1970: 0)
        var objects: [ObjectKey: ObservedObject] = [:]
        for action in Planner.plan(desired: base, observed: ObservedState(), now: epoch).actions {
            objects[action.key] = ObservedObject(key: action.key, fingerprint: action.fingerprint, updatedAt: epoch)
        }
        return ObservedState(objects: objects)
    }

    /// What a model change costs: a retraining (and which input of the training
    /// fingerprint changed), a new revision only (serving changed), or a re-evaluation
    /// (gates changed) — read from the manifests, never by running anything.
    static func modelConsequences(base: DesiredState?, head: DesiredState, name: String, model: DesiredModel, observed: ObservedState) -> [String] {
        func document(_ state: DesiredState, _ model: DesiredModel) -> [String: JSONValue]? {
            guard let dataset = state.datasets[model.dataset] else { return nil }
            let identity = Planner.identity(of: dataset.data, observed: observed)
            guard let bytes = ModelFingerprint.trainingDocument(of: model.model, in: state.manifests, datasetSha256: identity, trainer: model.trainerIdentity),
                  case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
            return fields
        }
        guard let base, let previous = base.models[name] else {
            return ["new model: trains v1, evaluates it through its server, packages it and deploys its first revision at 100% (no incumbent)"]
        }
        var consequences: [String] = []
        if let before = document(base, previous), let after = document(head, model), before != after {
            let names = ["task": "task", "target": "target", "features": "features", "training": "training spec", "split": "evaluation split",
                         "datasetSha256": "dataset content", "contractSha256": "contract semantics", "trainer": "trainer code",
                         "classified": "classified features"]
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted().map { names[$0] ?? $0 }
            let known = (observed.registries[name]?.versions.count ?? 0) > 0 ? " (or reuses a registered version with the same fingerprint)" : ""
            consequences.append("retrains a new version\(known): \(changed.joined(separator: ", ")) changed")
            if model.servingFingerprint != previous.servingFingerprint { consequences.append("its revision serves with the new serving spec") }
        } else if model.servingFingerprint != previous.servingFingerprint {
            consequences.append("new revision of the same version (serving changed): evaluated through the new server, no retraining")
        } else if model.model.spec.evaluation?.gates != previous.model.spec.evaluation?.gates
                    || model.model.spec.evaluation?.incumbent != previous.model.spec.evaluation?.incumbent {
            consequences.append("re-evaluates the current revision against the new gates, no retraining")
        }
        if !consequences.isEmpty, consequences[0].hasPrefix("retrains") || consequences[0].hasPrefix("new revision") {
            consequences.append(rolloutSummary(ResolvedPolicy(model.model, in: head.manifests)))
        }
        if model.autoscaling != previous.autoscaling {
            func scale(_ model: DesiredModel) -> String {
                model.autoscaling?.summary ?? "\(model.replicas) replica\(model.replicas == 1 ? "" : "s")"
            }
            consequences.append("rescales the serving revision from \(scale(previous)) to \(scale(model))")
        } else if model.replicas != previous.replicas {
            consequences.append("scales the serving revision from \(previous.replicas) to \(model.replicas) replica\(model.replicas == 1 ? "" : "s")")
        }
        if model.unpinnedURI {
            consequences.append("the dataset has no sha256 pin: new versions are registered, never deployed (CandidateReady)")
        }
        return consequences
    }

    /// How a new revision takes traffic under a policy: `canary by canary-10-50: 10% (30 s),
    /// 50% (60 s), then promotion; judged by fraud-latency every 5 s`.
    static func rolloutSummary(_ policy: ResolvedPolicy) -> String {
        let name = policy.name ?? "policy"
        let canary = policy.steps.filter { $0.phase == .canary }.map { step -> String in
            switch step.pause {
            case .none: "\(step.weight)%"
            case .seconds(let seconds): "\(step.weight)% (\(Int(seconds)) s)"
            case .untilPromoted: "\(step.weight)% (until `sextant promote`)"
            }
        }
        let mirror = policy.steps.first { $0.mirrorPercent != nil }
        let mirrored = "\(mirror?.mirrorPercent ?? 100)% of requests mirrored to it"
            + (mirror.flatMap { if case .seconds(let seconds) = $0.pause { " for \(Int(seconds)) s" } else { nil } } ?? "")
        let plan: String
        switch policy.strategy {
        case .replace:
            return "rolls out by replace: the new revision takes 100% once ready"
        case .canary:
            plan = "canary by \(name): \(canary.joined(separator: ", ")), then promotion"
        case .shadow:
            plan = "shadow by \(name): \(mirrored), answers recorded and never returned, "
                + (canary.isEmpty ? "then promotion" : "then \(canary.joined(separator: ", ")), then promotion")
        case .blueGreen:
            plan = "blueGreen by \(name): a preview with \(mirrored), then all traffic switches at once; "
                + "the old revision stays warm \(Int(policy.scaleDownDelay)) s and takes it back on a failed verdict"

        case .experiment:
            plan = "experiment by \(name): " + (policy.experiment.map { experiment in
                "\(experiment.summary); a winner is " + (experiment.decision == .promoteWinner ? "promoted" : "reported and waits for `sextant promote`")
                    + ", a loser or no difference sends traffic back to stable"
            } ?? "no experiment settings")
        }
        let slos = Set(policy.objectives.map(\.slo)).sorted()
        let unguarded = policy.experiment == nil ? "no SLO judges it: steps advance on time alone" : "no SLO guards it: the KPI alone decides"
        return plan + "; " + (slos.isEmpty ? unguarded : "\(policy.experiment == nil ? "judged" : "guarded") by \(slos.joined(separator: ", ")) every \(Int(policy.interval)) s")
            + (policy.headerRoute.map { "; requests with \($0.name): \($0.value) go to it" } ?? "")
    }

    static func checkReason(_ check: DatasetCheck, base: DesiredDataset?, head: DesiredDataset?, inputs: Prediction.DatasetInputs) -> String {
        let what = "\(check.data) will be checked against contract \(check.contract)"
        guard let base, let head else { return what + " (new dataset)" }
        var reasons: [String] = []
        if inputs.data { reasons.append("the data changed") }
        if inputs.contract { reasons.append("the contract changed") }
        if base.sha256Pin != head.sha256Pin { reasons.append("the sha256 pin changed") }
        return what + (reasons.isEmpty ? " (not checked since it was applied)" : " (\(reasons.joined(separator: ", ")))")
    }
}
