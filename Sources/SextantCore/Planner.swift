package import Foundation
package import SextantAPI

/// The reconciler's decisions, as a pure function of desired state, observed state and the
/// time: no I/O, no clock, no randomness.
package enum Planner {
    package struct Options: Sendable, Hashable {
        /// Forget objects removed from Git (`--prune`, default true).
        package var prune: Bool

        package init(prune: Bool = true) {
            self.prune = prune
        }
    }

    package struct Plan: Sendable, Hashable {
        package var actions: [Action]
        /// Objects waiting for a retry, and when it is due: what a loop sleeps for.
        package var retries: [ObjectKey: Date]

        package init(actions: [Action] = [], retries: [ObjectKey: Date] = [:]) {
            self.actions = actions
            self.retries = retries
        }

        /// The earliest retry, if any.
        package var nextRetry: Date? { retries.values.min() }
    }

    package static func plan(desired: DesiredState, observed: ObservedState, now: Date, options: Options = Options()) -> Plan {
        var plan = Plan()
        for name in desired.datasets.keys.sorted() {
            let dataset = desired.datasets[name]!
            let check = DatasetCheck(
                name: name, data: dataset.data, dataIdentity: identity(of: dataset.data, observed: observed),
                sha256Pin: dataset.sha256Pin, table: dataset.table, contract: dataset.contract, commit: desired.commit,
                rulesFingerprint: dataset.rulesFingerprint)
            let key = ObjectKey(.dataset, name)
            let object = observed.objects[key]
            let fingerprint = check.fingerprint
            if object?.fingerprint == fingerprint { continue }
            if let failure = object?.failure, failure.fingerprint == fingerprint, failure.nextAttemptAt > now {
                plan.retries[key] = failure.nextAttemptAt
                continue
            }
            plan.actions.append(.checkDataset(check))
        }
        planModels(desired, observed: observed, plan: &plan, now: now)
        if options.prune {
            let wanted = Set(desired.keys)
            for key in observed.objects.keys.sorted() where !wanted.contains(key) {
                if let replicas = observed.objects[key]?.model?.allReplicas, !replicas.isEmpty {
                    plan.actions.append(.stopServing(model: key.name, replicas: replicas))
                }
                plan.actions.append(.prune(key))
            }
        }
        return plan
    }

    /// A dataset's data identity: content-addressed for commits, the observed hash for
    /// local files, the reason for sources that cannot be read.
    static func identity(of location: DataLocation, observed: ObservedState) -> String {
        switch location {
        case .commit(_, let blob): "git-blob:" + blob
        case .file(let path):
            switch observed.dataFiles[path] {
            case .hashed(let sha256)?: "sha256:" + sha256
            case .unreadable(let reason)?: "unreadable:" + reason
            case nil: "unobserved:" + path
            }
        case .refused(let reason): "refused:" + reason
        }
    }

    /// Whether a new commit may replace the applied one (DESIGN §6).
    package enum Admission: Sendable, Hashable {
        case accept
        /// The commit does not load or validate: keep the applied one.
        case invalid([Diagnostic])
        /// The commit would remove every model the applied commit has.
        case wouldPruneEveryModel([String])
    }

    package static func admit(_ candidate: ManifestLoaderResultSummary, applied: ManifestSet?, allowEmpty: Bool) -> Admission {
        guard candidate.diagnostics.isEmpty else { return .invalid(candidate.diagnostics) }
        let appliedModels = applied?.models.map(\.metadata.name) ?? []
        if !allowEmpty, !appliedModels.isEmpty, candidate.modelCount == 0 {
            return .wouldPruneEveryModel(appliedModels.sorted())
        }
        return .accept
    }
}

/// What admission needs to know of a loaded commit.
package struct ManifestLoaderResultSummary: Sendable {
    package var diagnostics: [Diagnostic]
    package var modelCount: Int

    package init(_ result: ManifestLoader.Result) {
        self.diagnostics = result.diagnostics
        self.modelCount = result.manifests.models.count
    }

    package init(diagnostics: [Diagnostic], modelCount: Int) {
        self.diagnostics = diagnostics
        self.modelCount = modelCount
    }
}
