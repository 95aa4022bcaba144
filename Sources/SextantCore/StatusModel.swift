package import Foundation
import SextantAPI

/// Computes status (DESIGN §3) from desired and observed state: pure, like the planner.
package enum StatusModel {
    package struct Inputs: Sendable {
        /// The applied desired state (the last good commit), if any.
        package var desired: DesiredState?
        package var observed: ObservedState
        package var revision: RevisionStatus
        /// Set while the head commit is refused.
        package var comparisonError: ComparisonError?
        /// What the last pass decided and could not do yet (retries).
        package var plan: Planner.Plan
        /// The previous status, for condition transition times and creation times.
        package var previous: [ObjectKey: ObjectStatus]
        package var prune: Bool
        package var now: Date
        /// The plan's actions are running now (status saved mid-pass).
        package var running: Bool
        /// The gateway, when the models need one.
        package var gateway: GatewayStatus?

        package init(desired: DesiredState?, observed: ObservedState, revision: RevisionStatus, comparisonError: ComparisonError?,
                    plan: Planner.Plan, previous: [ObjectKey: ObjectStatus], prune: Bool, now: Date, running: Bool = false,
                    gateway: GatewayStatus? = nil) {
            self.running = running
            self.gateway = gateway
            self.desired = desired
            self.observed = observed
            self.revision = revision
            self.comparisonError = comparisonError
            self.plan = plan
            self.previous = previous
            self.prune = prune
            self.now = now
        }
    }

    package static func compute(_ inputs: Inputs) -> StatusDocument {
        var objects: [ObjectStatus] = []
        if let desired = inputs.desired {
            for loaded in desired.manifests.all {
                objects.append(status(of: loaded.manifest, in: desired, inputs))
            }
        }
        // Objects removed from Git but kept (--prune=false, or not pruned yet).
        let desiredKeys = Set(objects.map(\.key))
        for key in inputs.observed.objects.keys.sorted() where !desiredKeys.contains(key) {
            var status = ObjectStatus(kind: key.kind, name: key.name, sync: .outOfSync, health: .unknown, phase: .pending,
                                      message: inputs.prune ? "removed from Git; pruning" : "removed from Git; kept because --prune=false",
                                      createdAt: inputs.previous[key]?.createdAt ?? inputs.now)
            if key.kind == .dataset { status.dataset = .init(violations: []) }
            objects.append(status)
        }
        if let error = inputs.comparisonError {
            let condition = StatusCondition(type: "ComparisonError", status: "True", reason: error.reason,
                                            message: "commit \(error.commit.prefix(7)) is not applied: \(error.message)",
                                            lastTransitionTime: inputs.now)
            for index in objects.indices {
                objects[index].sync = .unknown
                objects[index].conditions.insert(condition, at: 0)
            }
        }
        if let gateway = inputs.gateway {
            applyGatewayOutage(gateway, to: &objects, since: inputs.now)
        }
        for index in objects.indices {
            carryTransitionTimes(&objects[index], previous: inputs.previous[objects[index].key])
        }
        objects.sort { $0.key < $1.key }
        var revision = inputs.revision
        revision.appliedCommit = inputs.desired?.commit ?? revision.appliedCommit
        return StatusDocument(revision: revision, objects: objects, comparisonError: inputs.comparisonError, gateway: inputs.gateway)
    }

    private static func status(of manifest: Manifest, in desired: DesiredState, _ inputs: Inputs) -> ObjectStatus {
        let key = ObjectKey(manifest.kind, manifest.name)
        let createdAt = inputs.previous[key]?.createdAt ?? inputs.now
        switch manifest {
        case .dataset:
            return datasetStatus(key, desired: desired, inputs, createdAt: createdAt)
        case .model:
            return modelStatus(key, desired: desired, inputs, createdAt: createdAt)
        case .dataContract(let contract):
            let tables = contract.schema ?? []
            let columns = tables.reduce(0) { $0 + ($1.properties?.count ?? 0) }
            return ObjectStatus(kind: .dataContract, name: key.name, sync: .synced, health: .healthy, phase: .valid,
                                message: "ODCS \(contract.apiVersion), version \(contract.version): \(tables.count) table\(tables.count == 1 ? "" : "s"), \(columns) column\(columns == 1 ? "" : "s")",
                                createdAt: createdAt)
        case .slo(let slo):
            let target = slo.spec.objectives?.first.flatMap { $0.target ?? $0.targetPercent.map { $0 / 100 } }
            let window = slo.spec.timeWindow?.first?.duration
            var message = "objective"
            if let target { message += " \(formatPercent(target))" }
            if let window { message += " over \(window)" }
            message += " for model \(slo.spec.service)"
            var health = HealthStatus.healthy
            if let samples = inputs.observed.sloSamples[key.name] {
                let online = inputs.observed.signals[slo.spec.service]?.online(samples.revision)
                let budgets = AnalysisObjective.of(slo).map { ErrorBudget($0, samples.counters, online: online) }
                let shown = budgets.map { $0.summary }.joined(separator: "; ")
                let seconds = Int(inputs.now.timeIntervalSince(samples.since))
                message += ": r\(samples.revision) over the last \(seconds) s: " + (shown.isEmpty ? "no objective Sextant measures yet" : shown)
                if budgets.contains(where: \.spent) { health = .degraded }
            } else {
                message += "; no samples yet"
            }
            return ObjectStatus(kind: .slo, name: key.name, sync: .synced, health: health, phase: .valid, message: message, createdAt: createdAt)
        case .rolloutPolicy(let policy):
            // Counted as a rollout counts them (`step 1/2`): a pause belongs to the setWeight before it.
            let steps = PolicyStep.canary(policy.spec.steps ?? [])
            let listed = steps.map { step in
                switch step.pause {
                case .none: "\(step.weight)%"
                case .seconds(let seconds): "\(step.weight)% for \(ManifestDuration.describe(seconds))"
                case .untilPromoted: "\(step.weight)% until promoted"
                }
            }
            let experiment = policy.spec.experiment.map { ResolvedExperiment($0).summary }
            let message = experiment.map { "experiment on \($0)" } ?? (steps.isEmpty ? policy.spec.strategy.rawValue
                : "\(policy.spec.strategy.rawValue): \(steps.count) step\(steps.count == 1 ? "" : "s") (\(listed.joined(separator: ", ")))")
            return ObjectStatus(kind: .rolloutPolicy, name: key.name, sync: .synced, health: .healthy, phase: .valid, message: message, createdAt: createdAt)
        }
    }

    private static func datasetStatus(_ key: ObjectKey, desired: DesiredState, _ inputs: Inputs, createdAt: Date) -> ObjectStatus {
        let observed = inputs.observed.objects[key]
        let result = observed?.dataset
        var status = ObjectStatus(kind: .dataset, name: key.name, sync: .outOfSync, health: .progressing, phase: .validating,
                                  message: "", createdAt: createdAt,
                                  dataset: .init(sha256: result?.sha256, rows: result?.rows, violations: result?.violations ?? []))
        guard let wanted = desired.datasets[key.name] else {
            status.health = .unknown
            status.message = "the dataset's contract or table is missing"
            return status
        }
        let planned = inputs.plan.actions.contains { $0.key == key }
        let retry = inputs.plan.retries[key]
        if let result {
            status.health = result.verdict == .validated ? .healthy : .degraded
            let current = !planned && retry == nil && observed?.fingerprint != nil
            if current {
                status.sync = .synced
                status.phase = ObjectPhase(result.verdict)
            }
            switch result.verdict {
            case .validated:
                let passed = result.warnings.isEmpty ? "\(result.checks)" : "\(result.checks - result.warnings.count) of \(result.checks)"
                status.message = "contract \(result.contract): \(passed) check\(result.checks == 1 ? "" : "s") passed"
                    + (result.rows.map { " on \($0) row\($0 == 1 ? "" : "s")" } ?? "")
                    + (result.warnings.isEmpty ? "" : "; warning: " + result.warnings.joined(separator: "; "))
            case .dataInvalid:
                let failed = result.violations.count
                status.message = "contract \(result.contract): \(failed) of \(max(result.checks, failed)) check\(result.checks == 1 ? "" : "s") failed: "
                    + result.violations.prefix(3).joined(separator: "; ") + (failed > 3 ? "; …" : "")
                if current {
                    status.conditions.append(StatusCondition(type: "Stalled", status: "True", reason: "DataInvalid",
                                                             message: "fix the data (\(wanted.data)) or contract \(wanted.contract.name) in Git", lastTransitionTime: inputs.now))
                }
            }
            if !current { status.message = "checking new data or contract; last: " + status.message }
        } else {
            status.message = "checking \(wanted.data) against contract \(wanted.contract)"
        }
        if let failure = observed?.failure, let retry {
            status.conditions.append(StatusCondition(type: "ReconcileError", status: "True", reason: "CheckFailed",
                                                     message: "\(failure.message); attempt \(failure.attempts), retrying at \(iso8601(retry))",
                                                     lastTransitionTime: inputs.now))
            status.message = "check failed: \(failure.message)"
            if result == nil { status.health = .unknown }
        }
        return status
    }

    /// Keeps a condition's `lastTransitionTime` while its status does not change.
    private static func carryTransitionTimes(_ status: inout ObjectStatus, previous: ObjectStatus?) {
        guard let previous else { return }
        for index in status.conditions.indices {
            let condition = status.conditions[index]
            if let old = previous.conditions.first(where: { $0.type == condition.type && $0.status == condition.status }) {
                status.conditions[index].lastTransitionTime = old.lastTransitionTime
            }
        }
    }

    private static func formatPercent(_ fraction: Double) -> String {
        // Rounded to what people write (0.57 → 57%, 0.995 → 99.5%), not 56.99999999999999%.
        let percent = (fraction * 100 * 1_000_000).rounded() / 1_000_000
        return (percent.rounded() == percent ? String(Int(percent)) : String(percent)) + "%"
    }
}

/// `2026-11-21T10:00:00Z`
package func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601)
}
