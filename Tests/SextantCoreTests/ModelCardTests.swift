import Foundation
import Testing
import SextantAPI
import SextantYAML
@testable import SextantCore

/// The model card of a version (DESIGN §9): Hugging Face markdown and Model Card Toolkit JSON.
@Suite struct ModelCardTests {
    static let version = ModelVersion(
        number: 3, fingerprint: String(repeating: "f", count: 64), commit: String(repeating: "c", count: 40),
        datasetSha256: String(repeating: "a", count: 64), contractSha256: String(repeating: "b", count: 64), trainer: "logistic-regression",
        modelDirectory: "models/fraud/v3", trainingRows: 1919, holdoutRows: 481,
        features: [FeatureColumn(name: "amount", logicalType: .number), FeatureColumn(name: "region", logicalType: .string)],
        classes: ["false", "true"], task: .binaryClassification, createdAt: Date(timeIntervalSince1970: 1_795_000_000.75))

    static let evaluation = Evaluation(
        fingerprint: "e", metrics: ["auc": 0.9812, "accuracy": 0.95],
        gates: [GateResult(metric: "auc", value: 0.9812, min: 0.9, max: nil, passed: true),
                GateResult(metric: "auc", sensitiveFeature: "region", value: 0.93, min: 0.9, max: nil, passed: true)],
        incumbent: nil, holdoutRows: 481, seconds: 0.2, evaluatedAt: Date(timeIntervalSince1970: 1_795_000_100),
        explanations: Explanations(metric: "auc", repeats: 5, seed: 42,
                                   importances: [FeatureImportance(feature: "amount", mean: 0.21, std: 0.02),
                                                 FeatureImportance(feature: "region", mean: 0.004, std: 0.001)],
                                   shap: [FeatureAttribution(feature: "amount", meanAbsolute: 1.7), FeatureAttribution(feature: "region", meanAbsolute: 0.1)]),
        intervals: MetricIntervals(confidence: 0.95, resamples: 1000, seed: 42,
                                   intervals: ["auc": MetricInterval(lower: 0.972, upper: 0.989), "accuracy": MetricInterval(lower: 0.93, upper: 0.97)]),
        slices: [SliceMetrics(feature: "region", value: "us", rows: 200, metrics: ["auc": 0.97]),
                 SliceMetrics(feature: "region", value: "eu", rows: 281, metrics: ["auc": 0.93])])

    static let context = ModelCardContext(
        dataset: "transactions", target: "is_fraud", contract: ContractLabel(id: "tx", name: "transactions", version: "1.2.0"),
        annotations: ["sextant.dev/intended-use": "Flag card transactions for review.\nNot for automatic blocking.",
                      "sextant.dev/limitations": "Trained on EU and US traffic only."],
        classifiedColumns: [ClassifiedFeature(column: "region", classification: "restricted", reason: "fraud rates differ by region")])

    static func card(evaluation: Evaluation? = evaluation, context: ModelCardContext? = context) -> ModelCard {
        let revision = ModelRevision(number: 4, version: 3, servingFingerprint: "s", commit: version.commit, servingLaunch: nil,
                                     evaluation: evaluation, createdAt: version.createdAt)
        return ModelCard(model: "fraud", version: version, revision: revision, context: context, weightsDigest: "sha256:" + String(repeating: "d", count: 64))
    }

    /// The YAML between the leading `---` lines.
    static func frontMatter(_ markdown: String) throws -> YAMLNode {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "---")
        let end = try #require(lines.dropFirst().firstIndex(of: "---"))
        let yaml = lines[1..<end].joined(separator: "\n")
        return try #require(try YAMLParser().parse(yaml, file: "model-card.md").first).root
    }

    @Test("the front matter parses as YAML and its model-index holds the holdout metrics on the dataset")
    func frontMatter() throws {
        let root = try Self.frontMatter(Self.card().markdown)
        #expect(root["datasets"]?.items?.compactMap(\.text) == ["transactions"])
        #expect(root["tags"]?.items?.compactMap(\.text).contains("tabular-classification") == true)
        let index = try #require(root["model-index"]?.items?.first)
        #expect(index["name"]?.text == "fraud")
        let result = try #require(index["results"]?.items?.first)
        #expect(result["task"]?["type"]?.text == "tabular-classification")
        #expect(result["dataset"]?["type"]?.text == "transactions")
        #expect(result["dataset"]?["name"]?.text == "transactions (holdout)")
        let metrics = try #require(result["metrics"]?.items)
        #expect(metrics.compactMap { $0["type"]?.text } == ["accuracy", "auc"])
        let auc = try #require(metrics.first { $0["type"]?.text == "auc" })
        #expect(auc["value"]?.scalar?.resolved == .float(0.9812))
        #expect(auc["name"]?.text == "holdout auc (95% CI [0.972, 0.989])")
    }

    @Test("the markdown has every section: metrics with intervals, slices, importance, considerations, privacy, lineage")
    func markdownSections() {
        let markdown = Self.card().markdown
        for heading in ["# fraud v3", "## Model details", "## Intended use", "## Limitations", "## Ethical considerations", "## Training data",
                        "## Evaluation", "## Per-slice metrics", "## Explanations", "## Privacy", "## Lineage"] {
            #expect(markdown.contains("\n" + heading + "\n"), "missing \(heading)")
        }
        #expect(markdown.contains("| `auc` | 0.981 | [0.972, 0.989] |"))
        #expect(markdown.contains("| `region=eu` | 281 | 0.930 |"))
        #expect(markdown.contains("| `amount` | 0.210 ± 0.020 | 1.700 |"))
        #expect(markdown.contains("- Flag card transactions for review.\n- Not for automatic blocking."))
        #expect(markdown.contains("- Trained on EU and US traffic only."))
        #expect(markdown.contains("Not stated (annotation `sextant.dev/ethical-considerations`)."))
        #expect(markdown.contains("- performance may differ across values of region. Mitigation: fairness gate auc by region 0.93 (min 0.9, passed)."))
        #expect(markdown.contains("| `region` | restricted | fraud rates differ by region |"))
        #expect(markdown.contains("- contract transactions 1.2.0"))
        #expect(markdown.contains("- artifact `fraud-v3`, weights layer `sha256:dddd"))
    }

    @Test("the JSON follows Model Card Toolkit's sections, with intervals, slices and considerations")
    func toolkitJSON() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.card().json)) as? [String: Any])
        #expect(Set(json.keys) == ["schema_version", "model_details", "model_parameters", "quantitative_analysis", "considerations"],
                "the schema allows no other top-level key")
        #expect(json["schema_version"] as? String == "0.0.2")
        let details = try #require(json["model_details"] as? [String: Any])
        #expect(details["name"] as? String == "fraud")
        #expect((details["version"] as? [String: Any])?["name"] as? String == "v3")
        let parameters = try #require(json["model_parameters"] as? [String: Any])
        #expect(parameters["model_architecture"] as? String == "logistic-regression")
        let data = try #require(parameters["data"] as? [[String: Any]])
        #expect(data.map { $0["description"] as? String } == ["train", "eval"])
        #expect(data.allSatisfy { $0["name"] as? String == "transactions" })
        #expect(((data[0]["sensitive"] as? [String: Any])?["sensitive_data"] as? [String])?.count == 2)
        let analysis = try #require(json["quantitative_analysis"] as? [String: Any])
        let metrics = try #require(analysis["performance_metrics"] as? [[String: Any]])
        let auc = try #require(metrics.first { $0["type"] as? String == "auc" && $0["slice"] == nil })
        #expect(auc["value"] as? Double == 0.9812)
        let interval = try #require(auc["confidence_interval"] as? [String: Any])
        #expect(interval["lower_bound"] as? Double == 0.972 && interval["upper_bound"] as? Double == 0.989)
        #expect(metrics.compactMap { $0["slice"] as? String } == ["region=eu", "region=us"])
        let considerations = try #require(json["considerations"] as? [String: Any])
        #expect((considerations["use_cases"] as? [[String: Any]])?.compactMap { $0["description"] as? String }
                == ["Flag card transactions for review.", "Not for automatic blocking."])
        let risks = try #require(considerations["ethical_considerations"] as? [[String: Any]])
        #expect(risks.allSatisfy { $0["name"] is String && $0["mitigation_strategy"] is String })
        #expect((considerations["sextant_privacy"] as? [[String: Any]])?.first?["reason"] as? String == "fraud rates differ by region")
        #expect(try ModelCard.decode(Self.card().json) == Self.card(), "the JSON reads back as the same card")
    }

    @Test("identical inputs give byte-identical documents")
    func deterministic() throws {
        #expect(Self.card().json == Self.card().json)
        #expect(Self.card().markdown == Self.card().markdown)
        #expect(try ModelCard.decode(Self.card().json).markdown == Self.card().markdown)
    }

    @Test("nil fields degrade clearly: older evaluations, a failed explanation, no evaluation, no context")
    func degraded() throws {
        var older = Self.evaluation
        older.explanations = nil
        older.intervals = nil
        older.slices = nil
        let old = Self.card(evaluation: older).markdown
        #expect(old.contains("Explanations: not computed for this version: evaluated before Sextant explained models."))
        #expect(old.contains("Confidence intervals: not computed for this version: evaluated before Sextant computed confidence intervals."))
        #expect(old.contains("Per-slice metrics: not computed for this version: evaluated before Sextant measured slices."))
        #expect(old.contains("| `auc` | 0.981 | — |"))
        #expect(try Self.frontMatter(old)["model-index"] != nil)

        var failed = older
        failed.explanationFailure = "the server answered 500 to a permuted batch"
        #expect(Self.card(evaluation: failed).markdown.contains("Explanations: could not be computed: the server answered 500 to a permuted batch."))

        let unevaluated = Self.card(evaluation: nil, context: nil)
        #expect(unevaluated.markdown.contains("Explanations: not evaluated."))
        #expect(unevaluated.markdown.contains("No metrics: not evaluated."))
        #expect(unevaluated.markdown.contains("Not stated (annotation `sextant.dev/intended-use`)."))
        #expect(unevaluated.modelParameters.data[0].name.hasPrefix("not recorded: v3 was never packaged"))
        #expect(unevaluated.considerations.notStated == ModelCardContext.Consideration.allCases.map(\.rawValue))
        _ = try Self.frontMatter(unevaluated.markdown)
    }
}
