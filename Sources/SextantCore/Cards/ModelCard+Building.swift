import Foundation
import SextantAPI

extension ModelCard {
    /// The card of `version` as `revision`'s evaluation judged it. Pure: the same registry
    /// records and context give the same card.
    ///
    /// - Parameters:
    ///   - model: the model's name.
    ///   - context: the manifests' facts; nil when they were not recorded (a version that
    ///     was never packaged), which the card says.
    ///   - weightsDigest: the artifact's weight layer digest, when packaged.
    package init(model: String, version: ModelVersion, revision: ModelRevision?, context: ModelCardContext?, weightsDigest: String?) {
        let evaluation = revision?.evaluation
        let unrecorded = "not recorded: v\(version.number) was never packaged, and only packaging records it"
        let task = version.task
        let created = Date(timeIntervalSince1970: version.createdAt.timeIntervalSince1970.rounded(.down))
        let day = Self.day(created)

        // model_details
        let kind = task.map(Self.taskPhrase) ?? "model"
        let target = context.map { " to predict `\($0.target)`" } ?? ""
        let details = Details(
            name: model,
            overview: "A \(kind) trained by `\(version.trainer)`\(target), version \(version.number) of \(model), evaluated on \(version.holdoutRows) held-out rows through its serving path.",
            version: Version(name: "v\(version.number)", date: day),
            lineage: Lineage(version: version.number, revision: revision?.number, commit: version.commit, fingerprint: version.fingerprint,
                             servingFingerprint: revision?.servingFingerprint, datasetSha256: version.datasetSha256,
                             contract: context?.contract.description, contractSha256: version.contractSha256, trainer: version.trainer,
                             artifactTag: "\(model)-v\(version.number)", weightsDigest: weightsDigest, createdAt: created))

        // model_parameters
        let sensitive = Self.sensitiveFeatures(evaluation)
        let classified = context?.classifiedColumns ?? []
        let sensitiveLines = sensitive.map { "\($0): a sensitive feature, judged by slice" }
            + classified.map { "\($0.column): classified \($0.classification), used because \($0.reason ?? "no reason given")" }
        let datasetName = context?.dataset ?? unrecorded
        let sensitiveData = sensitiveLines.isEmpty ? nil : SensitiveData(sensitiveData: sensitiveLines)
        let features = (version.features ?? []).map { Feature(name: $0.name, type: $0.logicalType) }
        let parameters = Parameters(
            modelArchitecture: version.trainer,
            data: [Dataset(name: datasetName, description: "train", sensitive: sensitiveData, rows: version.trainingRows),
                   Dataset(name: datasetName, description: "eval", sensitive: sensitiveData, rows: version.holdoutRows)],
            inputFormat: "Open Inference Protocol v2, tabular: one input per feature column"
                + (features.isEmpty ? "" : " (" + features.map { "\($0.name) \($0.type.rawValue)" }.joined(separator: ", ") + ")"),
            outputFormat: Self.outputFormat(task, classes: version.classes),
            task: task, target: context?.target, features: features)

        // quantitative_analysis
        let intervals = evaluation?.intervals
        let metrics = Self.performanceMetrics(evaluation)
        let notYet = "not computed for this version: evaluated before Sextant "
        let facts = EvaluationFacts(
            holdoutRows: evaluation?.holdoutRows ?? version.holdoutRows,
            confidence: intervals?.confidence, resamples: intervals?.resamples, seed: intervals?.seed,
            intervalsMissing: evaluation == nil ? "not evaluated" : intervals == nil ? notYet + "computed confidence intervals" : nil,
            sensitiveFeatures: sensitive,
            slicesMissing: evaluation == nil ? "not evaluated" : evaluation?.slices == nil ? notYet + "measured slices" : nil,
            gates: (evaluation?.gates ?? []).map {
                Gate(metric: $0.metric, sensitiveFeature: $0.sensitiveFeature, value: $0.value, min: $0.min, max: $0.max, passed: $0.passed)
            })
        let explanations = Self.explanationTable(evaluation)
        let analysis = Analysis(performanceMetrics: metrics, evaluation: facts, explanations: explanations)

        // considerations
        var notStated: [String] = []
        func items(_ consideration: ModelCardContext.Consideration) -> [String] {
            guard let items = context?.items(of: consideration) else {
                notStated.append(consideration.rawValue)
                return []
            }
            return items
        }
        let useCases = items(.intendedUse).map(Description.init)
        let limitations = items(.limitations).map(Description.init)
        var risks = items(.ethicalConsiderations).map { Risk(name: $0, mitigationStrategy: "not stated") }
        for feature in sensitive {
            let gates = facts.gates.filter { $0.sensitiveFeature == feature }
            let mitigation = gates.isEmpty ? "metrics measured per value of \(feature) (per-slice metrics); no gate bounds them"
                : "fairness gate" + (gates.count == 1 ? " " : "s ") + gates.map(Self.gateSummary).joined(separator: "; ")
            risks.append(Risk(name: "performance may differ across values of \(feature)", mitigationStrategy: mitigation))
        }
        for column in classified {
            risks.append(Risk(name: "\(column.column) is classified \(column.classification)",
                              mitigationStrategy: "allowed by privacy.allowClassified: \(column.reason ?? "no reason given")"))
        }
        let considerations = Considerations(useCases: useCases, limitations: limitations, ethicalConsiderations: risks,
                                            privacy: classified, notStated: notStated)

        self.init(schemaVersion: Self.toolkitSchemaVersion, modelDetails: details, modelParameters: parameters,
                  quantitativeAnalysis: analysis, considerations: considerations)
    }

    /// The holdout metrics with their intervals, then each slice's, in a stable order.
    package static func performanceMetrics(_ evaluation: Evaluation?) -> [PerformanceMetric] {
        guard let evaluation else { return [] }
        var metrics: [PerformanceMetric] = []
        for (name, value) in evaluation.metrics.sorted(by: { $0.key < $1.key }) {
            let interval = evaluation.intervals?.intervals[name].map { ConfidenceInterval(lowerBound: $0.lower, upperBound: $0.upper) }
            metrics.append(PerformanceMetric(type: name, value: value, slice: nil, confidenceInterval: interval, rows: nil))
        }
        for slice in (evaluation.slices ?? []).sorted(by: { ($0.feature, $0.value) < ($1.feature, $1.value) }) {
            for (name, value) in slice.metrics.sorted(by: { $0.key < $1.key }) {
                metrics.append(PerformanceMetric(type: name, value: value, slice: "\(slice.feature)=\(slice.value)", confidenceInterval: nil, rows: slice.rows))
            }
        }
        return metrics
    }

    /// The importance table of an evaluation, or why there is none: not evaluated, the
    /// recorded failure, or an evaluation from before Sextant explained models.
    package static func explanationTable(_ evaluation: Evaluation?) -> ExplanationTable {
        guard let evaluation else { return ExplanationTable(metric: nil, repeats: nil, seed: nil, importances: [], missing: "not evaluated") }
        guard let computed = evaluation.explanations else {
            let why = evaluation.explanationFailure.map { "could not be computed: \($0)" }
                ?? "not computed for this version: evaluated before Sextant explained models"
            return ExplanationTable(metric: nil, repeats: nil, seed: nil, importances: [], missing: why)
        }
        let shap = Dictionary((computed.shap ?? []).map { ($0.feature, $0.meanAbsolute) }, uniquingKeysWith: { first, _ in first })
        return ExplanationTable(metric: computed.metric, repeats: computed.repeats, seed: computed.seed,
                                rows: computed.rows.flatMap { $0 < evaluation.holdoutRows ? $0 : nil },
                                importances: computed.importances.map {
                                    Importance(feature: $0.feature, mean: $0.mean, std: $0.std, meanAbsoluteShap: shap[$0.feature])
                                }, missing: nil)
    }

    /// The sensitive features the evaluation judged: its slices' and its fairness gates'.
    static func sensitiveFeatures(_ evaluation: Evaluation?) -> [String] {
        Array(Set((evaluation?.slices ?? []).map(\.feature) + (evaluation?.gates ?? []).compactMap(\.sensitiveFeature))).sorted()
    }

    /// `auc by region 0.93 (min 0.9, passed)`.
    static func gateSummary(_ gate: Gate) -> String {
        var limits: [String] = []
        if let min = gate.min { limits.append("min \(formatMetric(min))") }
        if let max = gate.max { limits.append("max \(formatMetric(max))") }
        return "\(gate.metric)\(gate.sensitiveFeature.map { " by \($0)" } ?? "") \(gate.value.map(formatMetric) ?? "undefined")"
            + " (\((limits + [gate.passed ? "passed" : "failed"]).joined(separator: ", ")))"
    }

    static func taskPhrase(_ task: ModelTask) -> String {
        switch task {
        case .binaryClassification: "binary classifier"
        case .multiclassClassification: "multiclass classifier"
        case .regression: "regression model"
        }
    }

    static func outputFormat(_ task: ModelTask?, classes: [String]?) -> String {
        let labels = classes.map { " (classes " + $0.joined(separator: ", ") + ")" } ?? ""
        switch task {
        case .binaryClassification?, .multiclassClassification?:
            return "predict: the label; predict_proba: one probability per class in sorted order" + labels
        case .regression?:
            return "predict: the value"
        case nil:
            return "predict"
        }
    }

    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
