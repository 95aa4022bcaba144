import Prometheus
import SextantAPI
import SextantCore
import Synchronization

/// One experiment gauge: an arm's KPI mean or value count (`arm` and `revision` set), or the
/// experiment's difference or p-value.
struct ExperimentSeries: Hashable {
    enum Metric: Hashable {
        case kpiMean, samples, difference, pValue
    }

    var metric: Metric
    var model: String
    var kpi: String
    /// `stable` or `candidate`.
    var arm: String? = nil
    var revision: Int? = nil
}

extension DaemonMetrics {
    static var experimentKPIMeanName: MetricNameDescriptor {
        name("experiment", "kpi_mean", unit: "", "An experiment arm's mean KPI value since the experiment began (a proportion's share of 1s).")
    }
    static var experimentSamplesName: MetricNameDescriptor {
        name("experiment", "samples", unit: "", "KPI values an experiment arm has collected since the experiment began.")
    }
    static var experimentDifferenceName: MetricNameDescriptor {
        name("experiment", "difference", unit: "", "An experiment's KPI difference, candidate mean minus stable mean.")
    }
    static var experimentPValueName: MetricNameDescriptor {
        name("experiment", "p_value", unit: "", "An experiment's two-sided fixed-horizon p-value of the KPI difference.")
    }

    /// Sets `sextant_experiment_kpi_mean` and `sextant_experiment_samples`
    /// `{model,kpi,arm,revision}`, `sextant_experiment_difference` and
    /// `sextant_experiment_p_value` `{model,kpi}` from each model's experiment report (the
    /// running one, else the last that decided). The series of a report that is gone, or
    /// that a new experiment replaced (another candidate or KPI), are removed.
    func observeExperiments(_ status: StatusDocument) {
        var values: [ExperimentSeries: Double] = [:]
        for object in status.objects where object.kind == .model {
            guard let report = object.model?.experiment else { continue }
            for arm in report.arms {
                let role = arm.role.rawValue
                values[ExperimentSeries(metric: .samples, model: object.name, kpi: report.kpi, arm: role, revision: arm.revision)] = Double(arm.n)
                if let mean = arm.mean {
                    values[ExperimentSeries(metric: .kpiMean, model: object.name, kpi: report.kpi, arm: role, revision: arm.revision)] = mean
                }
            }
            if let difference = report.difference {
                values[ExperimentSeries(metric: .difference, model: object.name, kpi: report.kpi)] = difference
            }
            if let pValue = report.pValue {
                values[ExperimentSeries(metric: .pValue, model: object.name, kpi: report.kpi)] = pValue
            }
        }
        experimentGauges.withLock { gauges in
            for (series, gauge) in gauges where values[series] == nil {
                registry.unregisterGauge(gauge)
                gauges[series] = nil
            }
            for (series, value) in values {
                let gauge = gauges[series] ?? makeGauge(series)
                gauge.set(value)
                gauges[series] = gauge
            }
        }
    }

    private func makeGauge(_ series: ExperimentSeries) -> Gauge {
        var labels = [("model", series.model), ("kpi", series.kpi)]
        if let arm = series.arm, let revision = series.revision {
            labels += [("arm", arm), ("revision", String(revision))]
        }
        let descriptor = switch series.metric {
        case .kpiMean: Self.experimentKPIMeanName
        case .samples: Self.experimentSamplesName
        case .difference: Self.experimentDifferenceName
        case .pValue: Self.experimentPValueName
        }
        return registry.makeGauge(descriptor: descriptor, labels: labels)
    }
}
