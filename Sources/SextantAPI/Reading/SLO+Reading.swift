import SextantYAML

// `SLO` read by hand from its node (see `Model+Reading.swift`). OpenSLO is an open standard:
// keys Sextant does not read are ignored, not reported.

extension SLO {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            apiVersion: try fields.required("apiVersion") { try $0.string() },
            kind: try fields.required("kind") { try $0.string() },
            metadata: try fields.required("metadata") { try OpenSLOMetadata(reading: $0) },
            spec: try fields.required("spec") { try SLOSpec(reading: $0) })
    }
}

extension OpenSLOMetadata {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            name: try fields.required("name") { try $0.string() },
            displayName: fields.optional("displayName") { try $0.string() })
    }
}

extension SLOSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            description: fields.optional("description") { try $0.string() },
            service: try fields.required("service") { try $0.string() },
            indicator: fields.optional("indicator") { try SLOIndicator(reading: $0) },
            indicatorRef: fields.optional("indicatorRef") { try $0.string() },
            timeWindow: fields.optional("timeWindow") { try $0.list { try SLOTimeWindow(reading: $0) } },
            budgetingMethod: fields.optional("budgetingMethod") { try $0.string() },
            objectives: fields.optional("objectives") { try $0.list { try SLOObjective(reading: $0) } })
    }
}

extension SLOIndicator {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            metadata: fields.optional("metadata") { try OpenSLOMetadata(reading: $0) },
            spec: try fields.required("spec") { try SLOIndicatorSpec(reading: $0) })
    }
}

extension SLOIndicatorSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            thresholdMetric: fields.optional("thresholdMetric") { try SLOMetric(reading: $0) },
            ratioMetric: fields.optional("ratioMetric") { try SLORatioMetric(reading: $0) })
    }
}

extension SLORatioMetric {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            counter: fields.optional("counter") { try $0.bool() },
            good: fields.optional("good") { try SLOMetric(reading: $0) },
            bad: fields.optional("bad") { try SLOMetric(reading: $0) },
            total: fields.optional("total") { try SLOMetric(reading: $0) })
    }
}

extension SLOMetric {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(metricSource: try fields.required("metricSource") { try SLOMetricSource(reading: $0) })
    }
}

extension SLOMetricSource {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            type: try fields.required("type") { try $0.string() },
            spec: fields.optional("spec") { try $0.dictionary { $0.json() } })
    }
}

extension SLOTimeWindow {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            duration: try fields.required("duration") { try $0.string() },
            isRolling: fields.optional("isRolling") { try $0.bool() })
    }
}

extension SLOObjective {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: nil)
        self.init(
            displayName: fields.optional("displayName") { try $0.string() },
            op: fields.optional("op") { try $0.string() },
            value: fields.optional("value") { try $0.double() },
            target: fields.optional("target") { try $0.double() },
            targetPercent: fields.optional("targetPercent") { try $0.double() })
    }
}
