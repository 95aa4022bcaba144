/// An OpenSLO v1 service level objective over a model's serving metrics. `kind: SLO`.
public struct SLO: Decodable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var metadata: OpenSLOMetadata
    public var spec: SLOSpec
}

public struct SLOSpec: Decodable, Sendable, Hashable {
    public var description: String?
    /// The `Model` this objective judges.
    public var service: String
    public var indicator: SLOIndicator?
    public var indicatorRef: String?
    public var timeWindow: [SLOTimeWindow]?
    public var budgetingMethod: String?
    public var objectives: [SLOObjective]?
}

public struct SLOIndicator: Decodable, Sendable, Hashable {
    public var metadata: OpenSLOMetadata?
    public var spec: SLOIndicatorSpec
}

public struct SLOIndicatorSpec: Decodable, Sendable, Hashable {
    public var thresholdMetric: SLOMetric?
    public var ratioMetric: SLORatioMetric?
}

public struct SLORatioMetric: Decodable, Sendable, Hashable {
    public var counter: Bool?
    public var good: SLOMetric?
    public var bad: SLOMetric?
    public var total: SLOMetric?
}

public struct SLOMetric: Decodable, Sendable, Hashable {
    public var metricSource: SLOMetricSource
}

public struct SLOMetricSource: Decodable, Sendable, Hashable {
    public var type: String
    /// Each source type has its own spec; Sextant reads only `type: sextant`'s.
    public var spec: [String: JSONValue]?

    /// The spec of a `type: sextant` source.
    public var sextantQuery: SextantMetricQuery? {
        guard type == "sextant", let metric = spec?["metric"]?.string else { return nil }
        return SextantMetricQuery(metric: metric, outcome: spec?["outcome"]?.string)
    }
}

/// The `spec` of a metric source of `type: sextant`.
public struct SextantMetricQuery: Sendable, Hashable {
    public var metric: String
    public var outcome: String?
}

/// The metrics Sextant measures for an SLO.
public enum SextantMetric: String, ManifestEnum {
    /// Milliseconds per request.
    case latency
    case requests
    /// Online accuracy from feedback labels.
    case accuracy
}

public struct SLOTimeWindow: Decodable, Sendable, Hashable {
    public var duration: String
    public var isRolling: Bool?
}

public struct SLOObjective: Decodable, Sendable, Hashable {
    public var displayName: String?
    public var op: String?
    public var value: Double?
    public var target: Double?
    public var targetPercent: Double?
}
