import SextantAPI

/// The real outcome of a change per object: what the planner's actions will meet once the
/// head's data is checked against the head's contracts. Pure: the data checks are inputs.
struct Prediction {
    /// What of a dataset's inputs changed since the base (or since what was checked).
    struct DatasetInputs: Hashable {
        /// The data's content (its SHA-256, or its Git blob).
        var data: Bool
        /// The contract table or its label.
        var contract: Bool
    }

    let base: DesiredState?
    let head: DesiredState
    /// What the planner sees: the store's, or the base as if reconciled.
    let state: ObservedState
    /// True when `state` comes from the store (not a pull request's base).
    let fromStore: Bool
    let planned: [ObjectKey: [Action]]
    let data: [String: DataForecast]

    /// How many failed rules an outcome names before it counts the rest.
    static let shownBreaches = 3

    func inputs(ofDataset name: String) -> DatasetInputs {
        guard let old = base?.datasets[name], let new = head.datasets[name] else { return DatasetInputs(data: false, contract: false) }
        let checked = state.objects[ObjectKey(.dataset, name)]?.dataset?.sha256
        let data: Bool
        if let checked, let current = self.data[name]?.sha256 {
            data = checked != current
        } else {
            data = Planner.identity(of: old.data, observed: state) != Planner.identity(of: new.data, observed: state)
        }
        return DatasetInputs(data: data, contract: old.table != new.table || old.contract != new.contract)
    }

    /// The label of an object whose manifest is the same: what changed under it.
    func inputChange(of key: ObjectKey) -> ObjectReview.Change {
        let dataset = key.kind == .model ? head.models[key.name]?.dataset : key.kind == .dataset ? key.name : nil
        guard let dataset else { return .inputsChanged }
        switch inputs(ofDataset: dataset) {
        case DatasetInputs(data: true, contract: true): return .dataAndContractChanged
        case DatasetInputs(data: true, contract: false): return .dataChanged
        case DatasetInputs(data: false, contract: true): return .contractChanged
        default: return .inputsChanged
        }
    }

    /// A planned check's verdict, when the caller checked the data.
    func datasetOutcome(_ check: DatasetCheck) -> Outcome? {
        switch data[check.name] {
        case .passes(_, let rows, let checks)?:
            return Outcome(.dataPasses, "will pass: \(rows) row\(rows == 1 ? "" : "s") meet contract \(check.contract) (\(checks) checks)")
        case .fails(_, let breaches)?:
            return Outcome(.blocked, reason: DatasetResult.Verdict.dataInvalid.rawValue, "will be blocked: DataInvalid, " + Self.describe(breaches))
        case .unknown(let reason)?:
            return Outcome(.unpredictable, "not predicted: \(reason)")
        case nil:
            return nil
        }
    }

    /// `48 rows break hour ≤ 22; 3 rows break amount ≥ 0; and 2 more`
    static func describe(_ breaches: [DataBreach]) -> String {
        let shown = breaches.prefix(shownBreaches).map(\.summary).joined(separator: "; ")
        let more = breaches.count - shownBreaches
        return breaches.isEmpty ? "the data breaks its contract" : shown + (more > 0 ? "; and \(more) more" : "")
    }

    /// A model's outcome, and the consequences that will really follow. `story` is what the
    /// change would do with valid data (`retrains a new version: …`, the rollout, …).
    func modelOutcome(_ model: DesiredModel, story: [String]) -> (outcome: Outcome?, consequences: [String]) {
        guard let headline = story.first, let (effect, verb) = Self.effect(of: headline) else { return (nil, story) }
        switch verdict(ofDataset: model.dataset) {
        case .fails?:
            let when = checkedAtHead(model.dataset) ? "at head" : "since its last check"
            // Serving upkeep (replicas) goes on; nothing new is trained, evaluated or rolled out.
            return (Outcome(.blocked, reason: DatasetResult.Verdict.dataInvalid.rawValue,
                            "will not \(verb): dataset \(model.dataset) is DataInvalid \(when)"),
                    story.filter { $0.hasPrefix("scales ") })
        case .unknown(let reason)?:
            return (Outcome(.unpredictable, "\(verb)s only if dataset \(model.dataset) meets its contract, not checked here: \(reason)"), story)
        case .passes?, nil:
            return (Outcome(effect, headline), story)
        }
    }

    /// The verdict the model's dataset will have once the planned actions ran.
    private func verdict(ofDataset name: String) -> DataForecast? {
        if checkedAtHead(name) { return data[name] }
        return state.objects[ObjectKey(.dataset, name)]?.dataset.map(DataForecast.init) ?? data[name]
    }

    /// True when the verdict is the head's: a check is planned, or (a pull request) the
    /// base's verdict is not known.
    private func checkedAtHead(_ name: String) -> Bool {
        let checks = planned[ObjectKey(.dataset, name)]?.contains { if case .checkDataset = $0 { true } else { false } } ?? false
        return checks || !fromStore
    }

    /// What a model consequence's first line says it does.
    private static func effect(of headline: String) -> (Outcome.Effect, verb: String)? {
        if headline.hasPrefix("retrains") { return (.retrain, "retrain") }
        if headline.hasPrefix("new model") { return (.retrain, "train") }
        if headline.hasPrefix("new revision") { return (.newRevision, "make a new revision") }
        if headline.hasPrefix("re-evaluates") { return (.reevaluate, "re-evaluate") }
        return nil
    }
}

extension ChangeReview {
    /// `3 objects change: 1 retrain, 1 blocked (DataInvalid), 1 breaking`, or `no changes`.
    package var summary: String {
        guard hasChanges else { return "no changes" }
        let outcomes = objects.compactMap(\.outcome)
        func count(_ effect: Outcome.Effect) -> Int { outcomes.filter { $0.effect == effect }.count }
        func phrase(_ number: Int, _ one: String, _ many: String) -> String? { number == 0 ? nil : "\(number) \(number == 1 ? one : many)" }
        var parts = [
            phrase(count(.retrain), "retrain", "retrains"),
            phrase(count(.newRevision), "new revision", "new revisions"),
            phrase(count(.reevaluate), "re-evaluation", "re-evaluations"),
            phrase(count(.dataPasses), "dataset passes", "datasets pass"),
        ].compactMap { $0 }
        let blocked = outcomes.filter { $0.effect == .blocked }
        for reason in Set(blocked.map { $0.reason ?? "blocked" }).sorted() {
            parts.append("\(blocked.filter { ($0.reason ?? "blocked") == reason }.count) blocked (\(reason))")
        }
        parts += [phrase(count(.unpredictable), "not predicted", "not predicted"), phrase(breakingCount, "breaking", "breaking")].compactMap { $0 }
        let count = objects.count
        return "\(count) object\(count == 1 ? " changes" : "s change")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }
}
