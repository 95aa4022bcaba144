import SextantYAML

// `Model` read by hand from its node: the same values and messages as its `Decodable`
// conformance, read in the same order (see `NodeReader`).

extension Model {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            apiVersion: try fields.required("apiVersion") { try $0.string() },
            kind: try fields.required("kind") { try $0.string() },
            metadata: try fields.required("metadata") { try ObjectMeta(reading: $0) },
            spec: try fields.required("spec") { try ModelSpec(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ObjectMeta {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            name: try fields.required("name") { try $0.string() },
            labels: fields.optional("labels") { try $0.dictionary { try $0.string() } },
            annotations: fields.optional("annotations") { try $0.dictionary { try $0.string() } })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ModelSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            task: try fields.required("task") { try $0.value() },
            dataset: try fields.required("dataset") { try $0.string() },
            target: try fields.required("target") { try $0.string() },
            features: fields.optional("features") { try $0.strings() },
            training: try fields.required("training") { try TrainingSpec(reading: $0) },
            evaluation: fields.optional("evaluation") { try EvaluationSpec(reading: $0) },
            serving: fields.optional("serving") { try ServingSpec(reading: $0) },
            monitoring: fields.optional("monitoring") { try MonitoringSpec(reading: $0) },
            privacy: fields.optional("privacy") { try PrivacySpec(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension PrivacySpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(allowClassified: fields.optional("allowClassified") { try $0.list { try ClassifiedAllowance(reading: $0) } })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ClassifiedAllowance {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            column: try fields.required("column") { try $0.string() },
            reason: try fields.required("reason") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension TrainingSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            trainer: fields.optional("trainer") { try $0.value() },
            command: fields.optional("command") { try $0.strings() },
            context: fields.optional("context") { try $0.string() },
            hyperparameters: fields.optional("hyperparameters") { try $0.dictionary { $0.json() } },
            seed: fields.optional("seed") { try $0.integer(UInt64.self) },
            timeout: fields.optional("timeout") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension EvaluationSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            split: fields.optional("split") { try SplitSpec(reading: $0) },
            gates: fields.optional("gates") { try $0.list { try Gate(reading: $0) } },
            incumbent: fields.optional("incumbent") { try IncumbentSpec(reading: $0) },
            explainability: fields.optional("explainability") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension SplitSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            holdout: fields.optional("holdout") { try $0.double() },
            seed: fields.optional("seed") { try $0.integer(UInt64.self) },
            stratify: fields.optional("stratify") { try $0.bool() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension Gate {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            metric: try fields.required("metric") { try $0.value() },
            min: fields.optional("min") { try $0.double() },
            max: fields.optional("max") { try $0.double() },
            sensitiveFeature: fields.optional("sensitiveFeature") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension IncumbentSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            metric: try fields.required("metric") { try $0.value() },
            maxRegression: fields.optional("maxRegression") { try $0.double() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension ServingSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            runtime: fields.optional("runtime") { try $0.value() },
            command: fields.optional("command") { try $0.strings() },
            context: fields.optional("context") { try $0.string() },
            importPath: fields.optional("importPath") { try $0.string() },
            env: fields.optional("env") { try $0.dictionary { try $0.string() } },
            replicas: fields.optional("replicas") { try $0.integer() },
            autoscaling: fields.optional("autoscaling") { try AutoscalingSpec(reading: $0) },
            slos: fields.optional("slos") { try $0.strings() },
            rollout: fields.optional("rollout") { try $0.string() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension AutoscalingSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            min: try fields.required("min") { try $0.integer() },
            max: try fields.required("max") { try $0.integer() },
            targetOngoingRequests: fields.optional("targetOngoingRequests") { try $0.double() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension MonitoringSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            log: fields.optional("log") { try PredictionLogSpec(reading: $0) },
            online: fields.optional("online") { try OnlineMetricsSpec(reading: $0) },
            contract: fields.optional("contract") { try $0.value() },
            drift: fields.optional("drift") { try DriftSpec(reading: $0) },
            retrain: fields.optional("retrain") { try RetrainSpec(reading: $0) })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension PredictionLogSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            sample: fields.optional("sample") { try $0.double() },
            maxBytes: fields.optional("maxBytes") { try $0.bytes() },
            retention: fields.optional("retention") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension OnlineMetricsSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(window: fields.optional("window") { try $0.integer() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension DriftSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            method: fields.optional("method") { try $0.value() },
            threshold: fields.optional("threshold") { try $0.double() },
            driftShare: fields.optional("driftShare") { try $0.double() },
            window: fields.optional("window") { try $0.integer() },
            interval: fields.optional("interval") { try $0.duration() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension RetrainSpec {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            on: fields.optional("on") { try $0.list { try $0.value(RetrainTrigger.self) } },
            accuracy: fields.optional("accuracy") { try AccuracyTrigger(reading: $0) },
            schedule: fields.optional("schedule") { try $0.cronSchedule() },
            data: fields.optional("data") { try $0.value() },
            minRows: fields.optional("minRows") { try $0.integer() },
            cooldown: fields.optional("cooldown") { try $0.duration() },
            promotion: fields.optional("promotion") { try $0.value() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}

extension AccuracyTrigger {
    init(reading node: NodeReader) throws {
        let fields = try node.mapping(fields: Self.fieldList)
        self.init(
            metric: try fields.required("metric") { try $0.value() },
            below: fields.optional("below") { try $0.double() },
            above: fields.optional("above") { try $0.double() })
    }

    private static let fieldList = fieldNames(CodingKeys.self)
}
