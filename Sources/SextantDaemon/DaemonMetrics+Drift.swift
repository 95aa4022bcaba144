import Prometheus
import SextantAPI
import SextantCore
import Synchronization

/// One drift gauge: a feature's statistic, or a model's dataset verdict (`feature` nil).
struct DriftSeries: Hashable {
    var model: String
    var feature: String? = nil
    var method: String? = nil
}

extension DaemonMetrics {
    static var featureDriftName: MetricNameDescriptor {
        name("", "feature_drift", unit: "", "A feature's drift statistic against the serving version's training rows: the p-value (ks, chiSquare, zTest) or the distance.")
    }
    static var datasetDriftName: MetricNameDescriptor {
        name("", "dataset_drift", unit: "", "1 while the model's newest logged rows drift from its serving version's training rows, else 0.")
    }

    /// Sets `sextant_feature_drift{model,feature,method}` and `sextant_dataset_drift{model}`
    /// from the models' drift reports with a verdict; series of reports gone are removed.
    func observeDrift(_ status: StatusDocument) {
        var values: [DriftSeries: Double] = [:]
        for object in status.objects where object.kind == .model {
            guard let report = object.model?.drift, let drifted = report.datasetDrift else { continue }
            values[DriftSeries(model: object.name)] = drifted ? 1 : 0
            for feature in report.features {
                values[DriftSeries(model: object.name, feature: feature.name, method: feature.method)] = feature.statistic
            }
        }
        driftGauges.withLock { gauges in
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

    private func makeGauge(_ series: DriftSeries) -> Gauge {
        guard let feature = series.feature, let method = series.method else {
            return registry.makeGauge(descriptor: Self.datasetDriftName, labels: [("model", series.model)])
        }
        return registry.makeGauge(descriptor: Self.featureDriftName, labels: [("model", series.model), ("feature", feature), ("method", method)])
    }
}
