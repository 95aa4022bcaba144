import Prometheus
import SextantAPI
import SextantCore
import Synchronization

extension DaemonMetrics {
    static var onlineMetricName: MetricNameDescriptor {
        name("model", "online_metric", unit: "", "A revision's online metric over its newest labelled rows (the prediction log joined to feedback).")
    }
    static var liveContractName: MetricNameDescriptor {
        name("live_contract", "violations", unit: "total", "Logged input rows breaking a rule of the data contract, since the daemon started.")
    }

    /// Sets the online metrics, the live contract's violation counts, drift and experiments
    /// from status.
    func observeSignals(_ status: StatusDocument) {
        observeDrift(status)
        observeExperiments(status)
        for object in status.objects where object.kind == .model {
            for online in object.model?.online ?? [] {
                for (metric, value) in online.metrics {
                    registry.makeGauge(descriptor: Self.onlineMetricName,
                                       labels: [("model", object.name), ("revision", String(online.revision)), ("metric", metric)]).set(value)
                }
            }
            for violation in object.model?.liveContract?.violations ?? [] {
                let counter = registry.makeCounter(descriptor: Self.liveContractName,
                                                   labels: [("model", object.name), ("column", violation.column), ("rule", violation.rule)])
                // The daemon's own running total: the counter follows it.
                liveContractCounted.withLock { counted in
                    let key = [object.name, violation.column, violation.rule]
                    let added = violation.total - counted[key, default: 0]
                    if added > 0 {
                        counter.increment(by: Int64(added))
                        counted[key] = violation.total
                    }
                }
            }
        }
    }
}
