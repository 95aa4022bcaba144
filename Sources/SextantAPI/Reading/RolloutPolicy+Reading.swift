import SextantYAML

// `RolloutPolicy` read by hand from its node (see `Model+Reading.swift`).

extension RolloutPolicy {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            apiVersion: try fields.required("apiVersion") { try $0.string() },
            kind: try fields.required("kind") { try $0.string() },
            metadata: try fields.required("metadata") { try ObjectMeta(reading: $0) },
            spec: try fields.required("spec") { try RolloutPolicySpec(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension RolloutPolicySpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            strategy: try fields.required("strategy") { try $0.value() },
            steps: fields.optional("steps") { try $0.list { try RolloutStep(reading: $0) } },
            blueGreen: fields.optional("blueGreen") { try BlueGreenSpec(reading: $0) },
            shadow: fields.optional("shadow") { try ShadowSpec(reading: $0) },
            experiment: fields.optional("experiment") { try ExperimentSpec(reading: $0) },
            headerRoute: fields.optional("headerRoute") { try HeaderRoute(reading: $0) },
            analysis: fields.optional("analysis") { try AnalysisSpec(reading: $0) },
            rollback: fields.optional("rollback") { try RollbackSpec(reading: $0) },
            scaleDownDelay: fields.optional("scaleDownDelay") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension RolloutStep {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            setWeight: fields.optional("setWeight") { try $0.integer() },
            pause: fields.optional("pause") { try PauseStep(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension PauseStep {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(duration: fields.optional("duration") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension BlueGreenSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            previewDuration: fields.optional("previewDuration") { try $0.duration() },
            mirrorPercent: fields.optional("mirrorPercent") { try $0.integer() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ShadowSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            mirrorPercent: fields.optional("mirrorPercent") { try $0.integer() },
            duration: fields.optional("duration") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension HeaderRoute {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            name: try fields.required("name") { try $0.string() },
            value: try fields.required("value") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension AnalysisSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            slos: fields.optional("slos") { try $0.strings() },
            interval: fields.optional("interval") { try $0.duration() },
            minSamples: fields.optional("minSamples") { try $0.integer() },
            maxStepDuration: fields.optional("maxStepDuration") { try $0.duration() },
            failureLimit: fields.optional("failureLimit") { try $0.integer() },
            inconclusive: fields.optional("inconclusive") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension RollbackSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            automatic: fields.optional("automatic") { try $0.bool() },
            window: fields.optional("window") { try $0.integer() },
            gitRevert: fields.optional("gitRevert") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ExperimentSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            split: fields.optional("split") { try $0.integer() },
            unit: fields.optional("unit") { try ExperimentUnit(reading: $0) },
            kpi: try fields.required("kpi") { try KPISpec(reading: $0) },
            minSamples: fields.optional("minSamples") { try $0.integer() },
            maxDuration: fields.optional("maxDuration") { try $0.duration() },
            alpha: fields.optional("alpha") { try $0.double() },
            sequential: fields.optional("sequential") { try $0.bool() },
            decision: fields.optional("decision") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ExperimentUnit {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(header: try fields.required("header") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension KPISpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            name: try fields.required("name") { try $0.string() },
            kind: try fields.required("kind") { try $0.value() },
            direction: fields.optional("direction") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}
