import Foundation

extension ManifestKind {
    /// The JSON Schema of this kind, as `sextant schema KIND` prints it and
    /// `manifests/schemas/KIND.json` holds it.
    package var jsonSchema: String { Self.render(schemaValue) }

    /// Every kind's schema in one JSON object keyed by kind.
    package static var allJSONSchemas: String {
        render(.object(Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.schemaValue) })))
    }

    private static func render(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// The file name of the checked-in schema.
    package var schemaFileName: String { "\(rawValue.lowercased()).json" }

    var schemaValue: JSONValue {
        typealias S = JSONSchema
        let sextantVersion: JSONValue = .object(["const": .string(Self.sextantAPIVersion)])
        switch self {
        case .model:
            let gate = S.object([
                ("metric", S.enumeration(MetricName.self)), ("min", S.number()), ("max", S.number()),
                ("sensitiveFeature", S.string("The column whose groups fairness metrics compare.")),
            ], required: ["metric"])
            let spec = S.object([
                ("task", S.enumeration(ModelTask.self)),
                ("dataset", S.string("The name of a Dataset.")),
                ("target", S.string("The column to predict.")),
                ("features", S.array(S.string(), minItems: 1)),
                ("training", S.object([
                    ("trainer", S.enumeration(BuiltinTrainer.self, "A built-in trainer; exclusive with command.")),
                    ("command", S.command),
                    ("context", S.relativePath),
                    ("hyperparameters", S.map(S.any)),
                    ("seed", S.integer(minimum: 0)),
                    ("timeout", S.duration),
                ])),
                ("evaluation", S.object([
                    ("split", S.object([
                        ("holdout", S.number(minimum: 0, maximum: 1, exclusive: true)),
                        ("seed", S.integer(minimum: 0)),
                        ("stratify", S.boolean),
                    ])),
                    ("gates", S.array(gate)),
                    ("incumbent", S.object([("metric", S.enumeration(MetricName.self)), ("maxRegression", S.number(minimum: 0))], required: ["metric"])),
                    ("explainability", S.enumeration(Explainability.self, "required: a revision without explanations (permutation importance) fails its gates. Default optional.")),
                ])),
                ("serving", S.object([
                    ("runtime", S.enumeration(ServingRuntime.self)),
                    ("command", S.command),
                    ("context", S.relativePath),
                    ("importPath", S.string("A Ray Serve application of the watched root, MODULE:ATTRIBUTE (runtime rayServe).",
                                            pattern: "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")),
                    ("env", S.map(S.string())),
                    ("replicas", S.integer(minimum: 1, maximum: ServingSpec.maxReplicas, "A fixed number of replicas; exclusive with autoscaling.")),
                    ("autoscaling", S.object([
                        ("min", S.integer(minimum: 1, maximum: ServingSpec.maxReplicas)),
                        ("max", S.integer(minimum: 1, maximum: ServingSpec.maxReplicas)),
                        ("targetOngoingRequests", S.number(minimum: 0, exclusive: true, "Requests in flight per replica the runtime scales towards; default 2.")),
                    ], required: ["min", "max"], description: "Replicas scaled by load (Ray Serve's autoscaling_config); exclusive with replicas.")),
                    ("slos", S.array(S.string())),
                    ("rollout", S.string("The name of a RolloutPolicy; default: replace.")),
                ])),
                ("monitoring", S.object([
                    ("log", S.object([
                        ("sample", S.number(minimum: 0, maximum: 1, "The share of inference requests logged (by request id); default 1.")),
                        ("maxBytes", S.bytes), ("retention", S.duration),
                    ])),
                    ("online", S.object([("window", S.integer(minimum: 1, "The newest labelled rows online metrics use; default 1000."))])),
                    ("contract", S.enumeration(LiveContractMode.self, "Check logged inputs against the data contract; default observe.")),
                    ("drift", S.object([
                        ("method", S.enumeration(DriftMethod.self, "auto: Evidently's default rule per feature; default auto.")),
                        ("threshold", S.number(minimum: 0, exclusive: true, "Default per method: p-value 0.05; distance 0.1; psi 0.1.")),
                        ("driftShare", S.number(minimum: 0, maximum: 1, "Dataset drift when this share of features drifts; default 0.5.")),
                        ("window", S.integer(minimum: 100, "The newest logged rows of the serving revisions; default 1000.")),
                        ("interval", S.duration),
                    ])),
                    ("retrain", S.object([
                        ("on", S.array(S.enumeration(RetrainTrigger.self))),
                        ("accuracy", S.object([
                            ("metric", S.enumeration(SextantMetric.self)), ("below", S.number()), ("above", S.number()),
                        ], required: ["metric"])),
                        ("schedule", S.string("Cron, five fields, UTC, like \"0 3 * * 1\".")),
                        ("data", S.enumeration(RetrainData.self, "feedback: the dataset plus labelled production rows; source: the dataset as it is.")),
                        ("minRows", S.integer(minimum: 1, "With data: feedback, labelled production rows needed first; default 200.")),
                        ("cooldown", S.duration),
                        ("promotion", S.enumeration(RetrainPromotion.self, "pullRequest | branch | none; default pullRequest.")),
                    ])),
                ])),
                ("privacy", S.object([
                    ("allowClassified", S.array(S.object([
                        ("column", S.string("A contract column whose classification is classified (restricted or confidential unless --classified says otherwise).")),
                        ("reason", S.string("Why the model needs it; the model card shows it.", pattern: "\\S")),
                    ], required: ["column", "reason"]))),
                ])),
            ], required: ["task", "dataset", "target", "training"])
            return S.document(kind: self, title: "Sextant Model", apiVersion: sextantVersion,
                              [("metadata", S.metadata), ("spec", spec)], required: ["metadata", "spec"], closed: true)
        case .dataset:
            let spec = S.object([
                ("source", S.object([
                    ("path", S.relativePath), ("uri", S.string("A file:/// URI outside the repository.", pattern: "^file:///")),
                    ("format", S.enumeration(DataFormat.self)),
                ])),
                ("sha256", S.string("The expected SHA-256 of the data.", pattern: "^[0-9a-f]{64}$")),
                ("contract", S.string("A DataContract, by ODCS id or name.")),
                ("table", S.string("Which schema entry of the contract; default the only one.")),
            ], required: ["source", "contract"])
            return S.document(kind: self, title: "Sextant Dataset", apiVersion: sextantVersion,
                              [("metadata", S.metadata), ("spec", spec)], required: ["metadata", "spec"], closed: true)
        case .dataContract:
            let comparison = S.number()
            let rule = S.object([
                ("type", S.string()), ("metric", S.enumeration(QualityMetric.self)), ("rule", S.enumeration(QualityMetric.self)),
                ("arguments", S.object([("validValues", S.array(S.any)), ("pattern", S.string()), ("properties", S.array(S.string()))], closed: false)),
                ("mustBe", comparison), ("mustNotBe", comparison), ("mustBeGreaterThan", comparison),
                ("mustBeGreaterOrEqualTo", comparison), ("mustBeLessThan", comparison), ("mustBeLessOrEqualTo", comparison),
                ("mustBeBetween", S.array(S.number())), ("mustNotBeBetween", S.array(S.number())),
                ("unit", .object(["enum": .array([.string("rows"), .string("percent")])])),
            ], closed: false)
            let property = S.object([
                ("name", S.string()), ("logicalType", S.enumeration(LogicalType.self)),
                ("required", S.boolean), ("unique", S.boolean), ("primaryKey", S.boolean),
                ("logicalTypeOptions", S.object([
                    ("minimum", S.any), ("maximum", S.any), ("exclusiveMinimum", S.any), ("exclusiveMaximum", S.any),
                    ("minLength", S.integer(minimum: 0)), ("maxLength", S.integer(minimum: 0)), ("pattern", S.string()),
                ], closed: false)),
                ("quality", S.array(rule)),
                ("classification", S.string("ODCS's sensitivity label; restricted and confidential (or the --classified list) mark a private column.")),
            ], required: ["name", "logicalType"], closed: false)
            let table = S.object([
                ("name", S.string()), ("physicalName", S.string()), ("properties", S.array(property, minItems: 1)), ("quality", S.array(rule)),
            ], required: ["name", "properties"], closed: false)
            return S.document(kind: self, title: "Open Data Contract Standard v3 (the subset Sextant checks)",
                              apiVersion: .object(["enum": .array(Self.odcsAPIVersions.map(JSONValue.string))]),
                              [("id", S.string()), ("version", S.string()), ("status", S.string()), ("name", S.string()), ("schema", S.array(table, minItems: 1))],
                              required: ["id", "version", "status", "schema"], closed: false)
        case .slo:
            let source = S.object([
                ("metricSource", S.object([
                    ("type", .object(["const": .string("sextant")])),
                    ("spec", S.object([("metric", S.enumeration(SextantMetric.self)), ("outcome", .object(["enum": .array([.string("success"), .string("error")])]))], required: ["metric"], closed: false)),
                ], required: ["type", "spec"], closed: false)),
            ], required: ["metricSource"], closed: false)
            let spec = S.object([
                ("description", S.string()),
                ("service", S.string("The Model this objective judges.")),
                ("indicator", S.object([
                    ("metadata", S.object([("name", S.string())], closed: false)),
                    ("spec", S.object([
                        ("thresholdMetric", source),
                        ("ratioMetric", S.object([("counter", S.boolean), ("good", source), ("bad", source), ("total", source)], required: ["total"], closed: false)),
                    ], closed: false)),
                ], required: ["spec"], closed: false)),
                ("timeWindow", S.array(S.object([("duration", S.duration), ("isRolling", .object(["const": .bool(true)]))], required: ["duration"], closed: false), minItems: 1)),
                ("budgetingMethod", .object(["const": .string("Occurrences")])),
                ("objectives", S.array(S.object([
                    ("displayName", S.string()), ("op", .object(["enum": .array(["lt", "lte", "gt", "gte"].map(JSONValue.string))])),
                    ("value", S.number()), ("target", S.number(minimum: 0, maximum: 1, exclusive: true)),
                    ("targetPercent", S.number(minimum: 0, maximum: 100, exclusive: true)),
                ], closed: false), minItems: 1)),
            ], required: ["service", "indicator", "timeWindow", "budgetingMethod", "objectives"], closed: false)
            return S.document(kind: self, title: "OpenSLO v1 SLO (the subset Sextant evaluates)", apiVersion: .object(["const": .string(Self.openSLOAPIVersion)]),
                              [("metadata", S.object([("name", S.name), ("displayName", S.string())], required: ["name"], closed: false)), ("spec", spec)],
                              required: ["metadata", "spec"], closed: false)
        case .rolloutPolicy:
            let step = S.object([
                ("setWeight", S.integer(minimum: 0, maximum: 100)),
                ("pause", S.object([("duration", S.duration)])),
            ])
            let spec = S.object([
                ("strategy", S.enumeration(RolloutStrategy.self)),
                ("steps", S.array(step)),
                ("blueGreen", S.object([("previewDuration", S.duration), ("mirrorPercent", S.integer(minimum: 1, maximum: 100))])),
                ("shadow", S.object([("mirrorPercent", S.integer(minimum: 1, maximum: 100)), ("duration", S.duration)])),
                ("experiment", S.object([
                    ("split", S.integer(minimum: 1, maximum: 99, "Percent of assignment units sent to the candidate; default 50.")),
                    ("unit", S.object([("header", S.string("The header whose value is the sticky assignment unit."))], required: ["header"])),
                    ("kpi", S.object([
                        ("name", S.string("The feedback `kpi` key compared.")), ("kind", S.enumeration(KPIKind.self)),
                        ("direction", S.enumeration(KPIDirection.self, "Which way is better; default increase.")),
                    ], required: ["name", "kind"])),
                    ("minSamples", S.integer(minimum: 2, "KPI values per arm before any decision; default 100.")),
                    ("maxDuration", S.duration), ("alpha", S.number(minimum: 0, maximum: 0.5, exclusive: true)),
                    ("sequential", S.boolean), ("decision", S.enumeration(ExperimentDecision.self)),
                ], required: ["kpi"])),
                ("headerRoute", S.object([("name", S.string()), ("value", S.string())], required: ["name", "value"])),
                ("analysis", S.object([
                    ("slos", S.array(S.string())), ("interval", S.duration), ("minSamples", S.integer(minimum: 1)),
                    ("maxStepDuration", S.duration), ("failureLimit", S.integer(minimum: 0)), ("inconclusive", S.enumeration(InconclusiveAction.self)),
                ])),
                ("rollback", S.object([
                    ("automatic", S.boolean), ("window", S.integer(minimum: 0)),
                    ("gitRevert", S.enumeration(GitRevert.self, "After an automatic abort: the rollback branch and pull request; default none.")),
                ])),
                ("scaleDownDelay", S.duration),
            ], required: ["strategy"])
            return S.document(kind: self, title: "Sextant RolloutPolicy", apiVersion: sextantVersion,
                              [("metadata", S.metadata), ("spec", spec)], required: ["metadata", "spec"], closed: true)
        }
    }
}
