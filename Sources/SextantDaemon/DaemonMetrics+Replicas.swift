import Foundation
import Prometheus
import SextantAPI
import SextantCore
import Synchronization

/// One replica's series: its CPU time as a counter, which follows one process (a replica
/// started again counts from zero, which Prometheus reads as a counter reset), and its
/// resident memory as a gauge.
struct ReplicaSeries {
    struct Labels: Hashable {
        var model: String
        var revision: Int
        var index: Int
    }

    let cpu: Counter
    let memory: Gauge
    /// The process the counter follows, and what it added so far.
    var startedAt: Date
    var counted: Double
}

extension DaemonMetrics {
    static var replicaCPUName: MetricNameDescriptor {
        name("replica", "cpu_seconds", unit: "total", "CPU time (user and system) of a model server and what it started, since it started.")
    }
    static var replicaMemoryName: MetricNameDescriptor {
        name("replica", "resident", unit: "bytes", "Resident memory of a model server and what it started.")
    }

    /// Sets each serving replica's series from status; the series of replicas that no
    /// longer serve are removed.
    func observeReplicas(_ status: StatusDocument) {
        var current: [ReplicaSeries.Labels: (ReplicaStatus, ResourceUsage)] = [:]
        for object in status.objects where object.kind == .model {
            for replica in object.model?.replicas ?? [] {
                guard let usage = replica.resources else { continue }
                let labels = ReplicaSeries.Labels(model: object.name, revision: replica.revision, index: replica.index)
                if current[labels] == nil { current[labels] = (replica, usage) }
            }
        }
        replicaSeries.withLock { series in
            for (labels, old) in series where current[labels] == nil {
                registry.unregisterCounter(old.cpu)
                registry.unregisterGauge(old.memory)
                series[labels] = nil
            }
            for (labels, (replica, usage)) in current {
                var entry = series[labels] ?? makeSeries(labels, startedAt: replica.startedAt)
                if entry.startedAt != replica.startedAt || usage.cpuSeconds < entry.counted {
                    entry.cpu.reset()
                    entry.startedAt = replica.startedAt
                    entry.counted = 0
                }
                if usage.cpuSeconds > entry.counted {
                    entry.cpu.increment(by: usage.cpuSeconds - entry.counted)
                    entry.counted = usage.cpuSeconds
                }
                entry.memory.set(Double(usage.residentBytes))
                series[labels] = entry
            }
        }
    }

    private func makeSeries(_ labels: ReplicaSeries.Labels, startedAt: Date) -> ReplicaSeries {
        let pairs = [("model", labels.model), ("revision", String(labels.revision)), ("replica", String(labels.index))]
        return ReplicaSeries(cpu: registry.makeCounter(descriptor: Self.replicaCPUName, labels: pairs),
                             memory: registry.makeGauge(descriptor: Self.replicaMemoryName, labels: pairs), startedAt: startedAt, counted: 0)
    }
}
