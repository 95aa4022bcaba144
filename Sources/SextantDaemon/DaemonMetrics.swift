import Foundation
import Prometheus
import SextantAPI
package import SextantCore
import Synchronization

/// The daemon's Prometheus metrics, `sextant_` names with help text, as `promtool check
/// metrics` wants them.
package final class DaemonMetrics: ReconcilerMetrics {
    let registry = PrometheusCollectorRegistry()
    private let passes: Counter
    private let passDuration: DurationHistogram
    private let fetchDuration: DurationHistogram
    private let fetches: (succeeded: Counter, failed: Counter)
    private let webhooks: (accepted: Counter, unauthorized: Counter)
    private let lastPass: Gauge
    /// The object gauges set so far, by labels, so a combination that disappears reads 0.
    private let objectGauges = Mutex<[[String]: Gauge]>([:])
    /// The store's health, read at each scrape.
    private let storeHealth: StoreHealth
    private let store: (available: Gauge, pendingWrites: Gauge, writeFailures: Counter)
    /// The failed writes already added to the counter.
    private let countedWriteFailures = Mutex(0)
    /// Leader, follower or standalone, read at each scrape.
    private let leadership: Leadership
    private let lease: (leader: Gauge, epoch: Gauge, renewals: [Leadership.RenewalResult: Counter])
    /// The renewals already added to the counters, by result.
    private let countedRenewals = Mutex<[Leadership.RenewalResult: Int]>([:])
    /// Each serving replica's series, by model, revision and index.
    let replicaSeries = Mutex<[ReplicaSeries.Labels: ReplicaSeries]>([:])
    /// What the live-contract counters counted so far, by model, column and rule.
    let liveContractCounted = Mutex<[[String]: Int]>([:])
    /// The drift gauges set at the last pass, by labels (those of a report gone are removed).
    let driftGauges = Mutex<[DriftSeries: Gauge]>([:])
    /// The experiment gauges set at the last pass, by labels (those of a report gone or
    /// replaced by a new experiment's are removed).
    let experimentGauges = Mutex<[ExperimentSeries: Gauge]>([:])

    private static let passBuckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                                  .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]

    static func name(_ subsystem: String, _ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sextant", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    static var passesName: MetricNameDescriptor { name("reconcile", "passes", unit: "total", "Reconcile passes finished.") }
    static var passDurationName: MetricNameDescriptor { name("reconcile", "pass_duration", unit: "seconds", "Wall time of reconcile passes, including their actions.") }
    static var lastPassName: MetricNameDescriptor { name("reconcile", "last_pass_timestamp", unit: "seconds", "When the last reconcile pass finished (Unix time).") }
    static var fetchDurationName: MetricNameDescriptor { name("git", "fetch_duration", unit: "seconds", "Wall time of fetches of the followed branch.") }
    static var fetchesName: MetricNameDescriptor { name("git", "fetches", unit: "total", "Fetches of the followed branch, by result.") }
    static var webhooksName: MetricNameDescriptor { name("webhook", "requests", unit: "total", "Push webhook calls, by result.") }
    static var actionsName: MetricNameDescriptor { name("", "actions", unit: "total", "Actions finished, by action and result.") }
    static var objectsName: MetricNameDescriptor { name("", "objects", unit: "", "Objects of the applied commit, by kind, sync status and health.") }
    static var storeAvailableName: MetricNameDescriptor {
        name("store", "available", unit: "", "1 while the state store takes writes, 0 while it fails them (GET /readyz says why).")
    }
    static var storePendingWritesName: MetricNameDescriptor {
        name("store", "pending_writes", unit: "", "Writes (events, finished actions) waiting in memory until the state store takes them.")
    }
    static var storeWriteFailuresName: MetricNameDescriptor {
        name("store", "write_failures", unit: "total", "Writes to the state store that failed (disk full, read-only, I/O error).")
    }

    static var leaderName: MetricNameDescriptor {
        name("", "leader", unit: "", "1 while this replica acts (the lease's leader, or the only daemon of its state directory), 0 while it follows.")
    }
    static var leaderEpochName: MetricNameDescriptor {
        name("leader", "epoch", unit: "", "The lease's epoch as this replica last read it (0: no lease, a SQLite state directory).")
    }
    static var leaseRenewalsName: MetricNameDescriptor {
        name("lease", "renewals", unit: "total", "Renewals of this replica's lease, by result: renewed, failed (no answer, an error), lost.")
    }

    /// - Parameters:
    ///   - storeHealth: the reconciler's (`Reconciler.storeHealth`).
    ///   - leadership: this replica's part, with several replicas on one store.
    package init(storeHealth: StoreHealth = StoreHealth(), leadership: Leadership = Leadership()) {
        self.storeHealth = storeHealth
        self.leadership = leadership
        var renewals: [Leadership.RenewalResult: Counter] = [:]
        for result in Leadership.RenewalResult.allCases {
            renewals[result] = registry.makeCounter(descriptor: Self.leaseRenewalsName, labels: [("result", result.rawValue)])
        }
        lease = (registry.makeGauge(descriptor: Self.leaderName), registry.makeGauge(descriptor: Self.leaderEpochName), renewals)
        store = (registry.makeGauge(descriptor: Self.storeAvailableName), registry.makeGauge(descriptor: Self.storePendingWritesName),
                 registry.makeCounter(descriptor: Self.storeWriteFailuresName))
        passes = registry.makeCounter(descriptor: Self.passesName)
        passDuration = registry.makeDurationHistogram(descriptor: Self.passDurationName, buckets: Self.passBuckets)
        fetchDuration = registry.makeDurationHistogram(descriptor: Self.fetchDurationName, buckets: Self.passBuckets)
        fetches = (registry.makeCounter(descriptor: Self.fetchesName, labels: [("result", "succeeded")]),
                   registry.makeCounter(descriptor: Self.fetchesName, labels: [("result", "failed")]))
        webhooks = (registry.makeCounter(descriptor: Self.webhooksName, labels: [("result", "accepted")]),
                    registry.makeCounter(descriptor: Self.webhooksName, labels: [("result", "unauthorized")]))
        lastPass = registry.makeGauge(descriptor: Self.lastPassName)
        for action in ["CheckDataset", "Prune"] {
            for result in ["succeeded", "failed"] {
                _ = registry.makeCounter(descriptor: Self.actionsName, labels: [("action", action), ("result", result)])
            }
        }
    }

    /// The Prometheus text exposition format.
    package func exposition() -> String {
        observeStore()
        observeLease()
        return registry.emitToString()
    }

    private func observeStore() {
        store.available.set(storeHealth.failure == nil ? 1.0 : 0.0)
        store.pendingWrites.set(Double(storeHealth.pendingWrites))
        let failures = storeHealth.failedWrites
        countedWriteFailures.withLock { counted in
            if failures > counted { store.writeFailures.increment(by: Int64(failures - counted)) }
            counted = max(counted, failures)
        }
    }

    private func observeLease() {
        lease.leader.set(leadership.isActing ? 1.0 : 0.0)
        lease.epoch.set(Double(leadership.leader?.epoch ?? 0))
        countedRenewals.withLock { counted in
            for result in Leadership.RenewalResult.allCases {
                let now = leadership.renewals(result)
                if now > counted[result, default: 0] { lease.renewals[result]?.increment(by: Int64(now - counted[result, default: 0])) }
                counted[result] = max(counted[result, default: 0], now)
            }
        }
    }

    package func passFinished(duration: Duration, actions: Int, failures: Int, status: StatusDocument) {
        passes.increment()
        passDuration.record(duration)
        if let reconciledAt = status.revision.reconciledAt { lastPass.set(reconciledAt.timeIntervalSince1970) }
        // Counted by the fields' values, labelled once per distinct triple (not per object).
        var tally: [ObjectCountKey: Int] = [:]
        for object in status.objects {
            tally[ObjectCountKey(kind: object.kind, sync: object.sync, health: object.health), default: 0] += 1
        }
        var counts: [[String]: Int] = [:]
        for (key, count) in tally { counts[[key.kind.rawValue, key.sync.rawValue, key.health.rawValue], default: 0] += count }
        objectGauges.withLock { gauges in
            for labels in Set(counts.keys).union(gauges.keys) {
                let gauge = gauges[labels] ?? registry.makeGauge(
                    descriptor: Self.objectsName, labels: [("kind", labels[0]), ("sync", labels[1]), ("health", labels[2])])
                gauges[labels] = gauge
                gauge.set(Double(counts[labels] ?? 0))
            }
        }
        observeReplicas(status)
        observeSignals(status)
    }

    private struct ObjectCountKey: Hashable {
        var kind: ManifestKind
        var sync: SyncStatus
        var health: HealthStatus
    }

    package func fetched(duration: Duration, failed: Bool) {
        fetchDuration.record(duration)
        (failed ? fetches.failed : fetches.succeeded).increment()
    }

    package func actionFinished(_ action: String, succeeded: Bool) {
        registry.makeCounter(descriptor: Self.actionsName, labels: [("action", action), ("result", succeeded ? "succeeded" : "failed")]).increment()
    }

    package enum WebhookResult {
        case accepted, unauthorized
    }

    package func webhook(_ result: WebhookResult) {
        switch result {
        case .accepted: webhooks.accepted.increment()
        case .unauthorized: webhooks.unauthorized.increment()
        }
    }
}
