/// An OpenSLO v1 service level objective over a model's serving metrics. `kind: SLO`.
package struct SLO: Decodable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var metadata: OpenSLOMetadata
    package var spec: SLOSpec
}

package struct SLOSpec: Decodable, Sendable, Hashable {
    package var description: String?
    /// The `Model` this objective judges.
    package var service: String
    package var indicator: SLOIndicator?
    package var indicatorRef: String?
    package var timeWindow: [SLOTimeWindow]?
    package var budgetingMethod: String?
    package var objectives: [SLOObjective]?
}

package struct SLOIndicator: Decodable, Sendable, Hashable {
    package var metadata: OpenSLOMetadata?
    package var spec: SLOIndicatorSpec
}

package struct SLOIndicatorSpec: Decodable, Sendable, Hashable {
    package var thresholdMetric: SLOMetric?
    package var ratioMetric: SLORatioMetric?
}

package struct SLORatioMetric: Decodable, Sendable, Hashable {
    package var counter: Bool?
    package var good: SLOMetric?
    package var bad: SLOMetric?
    package var total: SLOMetric?
}

package struct SLOMetric: Decodable, Sendable, Hashable {
    package var metricSource: SLOMetricSource
}

package struct SLOMetricSource: Decodable, Sendable, Hashable {
    package var type: String
    /// Each source type has its own spec; Sextant reads only `type: sextant`'s.
    package var spec: [String: JSONValue]?

    /// The spec of a `type: sextant` source.
    package var sextantQuery: SextantMetricQuery? {
        guard type == "sextant", let metric = spec?["metric"]?.string else { return nil }
        return SextantMetricQuery(metric: metric, outcome: spec?["outcome"]?.string)
    }
}

/// The `spec` of a metric source of `type: sextant`.
package struct SextantMetricQuery: Sendable, Hashable {
    package var metric: String
    package var outcome: String?
}

/// The metrics Sextant measures for an SLO.
package enum SextantMetric: String, ManifestEnum {
    /// Milliseconds per request.
    case latency
    case requests
    /// Online accuracy from feedback labels: labelled rows answered right are good.
    case accuracy
    /// Online metrics over the newest labelled rows, compared with an objective's op/value.
    case precision, recall, f1, auc, prAuc, logLoss, macroF1, weightedF1, rmse, mae, r2

    /// A metric of the labelled rows compared as a whole (not `accuracy`, which counts rows).
    package var isOnlineMetric: Bool {
        switch self {
        case .latency, .requests, .accuracy: false
        default: true
        }
    }
}

package struct SLOTimeWindow: Decodable, Sendable, Hashable {
    package var duration: String
    package var isRolling: Bool?
}

package struct SLOObjective: Decodable, Sendable, Hashable {
    package var displayName: String?
    package var op: String?
    package var value: Double?
    package var target: Double?
    package var targetPercent: Double?
}
