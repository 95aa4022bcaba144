public import Foundation
public import SextantAPI
import SextantYAML

/// What a change to the desired state will do, object by object: `sextant plan`. Pure:
/// consequences come from the same planner the reconciler runs.
public struct ChangeReview: Sendable, Codable {
    public struct Revision: Sendable, Codable, Hashable {
        /// What the side is: a ref, `applied`, …
        public var label: String
        public var commit: String?

        public init(label: String, commit: String?) {
            self.label = label
            self.commit = commit
        }
    }

    public var base: Revision
    public var head: Revision
    /// The head's problems, when it does not load or validate (then nothing else is known).
    public var errors: [String]
    public var objects: [ObjectReview]

    public init(base: Revision, head: Revision, errors: [String] = [], objects: [ObjectReview] = []) {
        self.base = base
        self.head = head
        self.errors = errors
        self.objects = objects
    }

    public var isValid: Bool { errors.isEmpty }
    public var hasChanges: Bool { !objects.isEmpty }
    public var breakingCount: Int { objects.filter(\.breaking).count }
}

/// One object's change and its consequences.
public struct ObjectReview: Sendable, Codable, Hashable {
    public enum Change: String, Sendable, Codable, Hashable {
        case added, removed, modified
        /// The manifest is the same; what it points at (data) changed.
        case dataChanged
    }

    public var kind: ManifestKind
    public var name: String
    public var change: Change
    /// Where the object is defined at head (or at base when removed).
    public var file: String
    public var fields: [FieldChange]
    public var consequences: [String]
    /// True when data that was accepted may now be rejected.
    public var breaking: Bool

    public init(kind: ManifestKind, name: String, change: Change, file: String, fields: [FieldChange], consequences: [String], breaking: Bool) {
        self.kind = kind
        self.name = name
        self.change = change
        self.file = file
        self.fields = fields
        self.consequences = consequences
        self.breaking = breaking
    }
}

extension ChangeReview {
    /// Compares desired states.
    ///
    /// - Parameters:
    ///   - base: the desired state before (the applied commit, or a pull request's base);
    ///     nil when nothing was applied yet.
    ///   - observed: what the reconciler has done; nil to assume the base was fully
    ///     reconciled (pull requests).
    public static func compare(base: DesiredState?, head: DesiredState, observed: ObservedState?, prune: Bool, now: Date) -> [ObjectReview] {
        let before = Dictionary((base?.manifests.all ?? []).map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(head.manifests.all.map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let state = observed ?? base.map(reconciledObservation) ?? ObservedState()
        let plan = Planner.plan(desired: head, observed: state, now: now, options: .init(prune: prune))
        var planned: [ObjectKey: [Action]] = [:]
        for action in plan.actions { planned[action.key, default: []].append(action) }

        var reviews: [ObjectReview] = []
        for key in Set(before.keys).union(after.keys).union(planned.keys).sorted() {
            let old = before[key], new = after[key]
            let fields = FieldDiff.changes(from: old.map { JSONValue($0.document.root) }, to: new.map { JSONValue($0.document.root) })
            var consequences: [String] = []
            var breaking = false
            for action in planned[key] ?? [] {
                switch action {
                case .checkDataset(let check):
                    consequences.append(checkReason(check, base: base?.datasets[key.name], head: head.datasets[key.name]))
                case .prune:
                    consequences.append("removed from Git: Sextant forgets it (its history and events are kept)")
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
            if case .model(let model)? = new?.manifest, planned[ObjectKey(.dataset, model.spec.dataset)] != nil {
                consequences.append("waits for dataset \(model.spec.dataset) to be checked again")
            }
            guard !fields.isEmpty || !consequences.isEmpty else { continue }
            let change: ObjectReview.Change = old == nil ? .added : new == nil ? .removed : fields.isEmpty ? .dataChanged : .modified
            reviews.append(ObjectReview(kind: key.kind, name: key.name, change: change, file: (new ?? old)?.file ?? "",
                                        fields: fields, consequences: consequences, breaking: breaking))
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

    static func checkReason(_ check: DatasetCheck, base: DesiredDataset?, head: DesiredDataset?) -> String {
        let what = "\(check.data) will be checked against contract \(check.contract)"
        guard let base, let head else { return what + " (new dataset)" }
        var reasons: [String] = []
        if base.data != head.data { reasons.append("the data changed") }
        if base.table != head.table || base.contract != head.contract { reasons.append("the contract changed") }
        if base.sha256Pin != head.sha256Pin { reasons.append("the sha256 pin changed") }
        return what + (reasons.isEmpty ? " (not checked since it was applied)" : " (\(reasons.joined(separator: ", ")))")
    }
}
