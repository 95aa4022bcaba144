package import Foundation
package import SextantAPI

/// The model card of a version (DESIGN §9), shaped like Model Card Toolkit's v0.0.2 JSON
/// schema: `model-card.json` is this type encoded, and `model-card.md` is rendered from it,
/// so a card read back from an artifact or the daemon renders the same markdown.
///
/// Sextant's own facts sit in the schema's sections under keys prefixed `sextant_` (the
/// schema forbids unknown keys only at the top level): the lineage in `model_details`, the
/// task, target and features in `model_parameters`, the evaluation's conditions and the
/// importance table in `quantitative_analysis`, the classified columns in `considerations`.
package struct ModelCard: Sendable, Hashable, Codable {
    package var schemaVersion: String
    package var modelDetails: Details
    package var modelParameters: Parameters
    package var quantitativeAnalysis: Analysis
    package var considerations: Considerations

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case modelDetails = "model_details"
        case modelParameters = "model_parameters"
        case quantitativeAnalysis = "quantitative_analysis"
        case considerations
    }

    /// The MCT schema version the JSON follows.
    package static let toolkitSchemaVersion = "0.0.2"

    // MARK: model_details

    package struct Details: Sendable, Hashable, Codable {
        package var name: String
        package var overview: String
        package var version: Version
        package var lineage: Lineage

        enum CodingKeys: String, CodingKey {
            case name, overview, version
            case lineage = "sextant_lineage"
        }
    }

    package struct Version: Sendable, Hashable, Codable {
        /// `v3`.
        package var name: String
        /// The day the version was trained (`yyyy-MM-dd`, UTC).
        package var date: String
    }

    /// Where the version came from: enough to rebuild it.
    package struct Lineage: Sendable, Hashable, Codable {
        package var version: Int
        /// The revision whose evaluation the card reports.
        package var revision: Int?
        package var commit: String
        /// The training fingerprint.
        package var fingerprint: String
        package var servingFingerprint: String?
        package var datasetSha256: String
        /// `name version` of the data contract; nil when not recorded.
        package var contract: String?
        package var contractSha256: String
        package var trainer: String
        /// The ModelPack tag, `<model>-v<N>`.
        package var artifactTag: String
        /// The sha256 digest of the artifact's weight layer (the version's files as packaged);
        /// the manifest digest cannot be written into a document inside the artifact it names,
        /// `sextant history` shows it.
        package var weightsDigest: String?
        package var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case version, revision, commit, fingerprint
            case servingFingerprint = "serving_fingerprint"
            case datasetSha256 = "dataset_sha256"
            case contract
            case contractSha256 = "contract_sha256"
            case trainer
            case artifactTag = "artifact_tag"
            case weightsDigest = "weights_digest"
            case createdAt = "created_at"
        }
    }

    // MARK: model_parameters

    package struct Parameters: Sendable, Hashable, Codable {
        package var modelArchitecture: String
        package var data: [Dataset]
        package var inputFormat: String
        package var outputFormat: String
        package var task: ModelTask?
        package var target: String?
        package var features: [Feature]

        enum CodingKeys: String, CodingKey {
            case modelArchitecture = "model_architecture"
            case data
            case inputFormat = "input_format"
            case outputFormat = "output_format"
            case task = "sextant_task"
            case target = "sextant_target"
            case features = "sextant_features"
        }
    }

    package struct Dataset: Sendable, Hashable, Codable {
        package var name: String
        /// `train` or `eval`: what MCT's dataset `description` says of it.
        package var description: String
        package var sensitive: SensitiveData?
        package var rows: Int

        enum CodingKeys: String, CodingKey {
            case name, description, sensitive
            case rows = "sextant_rows"
        }
    }

    package struct SensitiveData: Sendable, Hashable, Codable {
        /// One line per sensitive or classified column.
        package var sensitiveData: [String]

        enum CodingKeys: String, CodingKey {
            case sensitiveData = "sensitive_data"
        }
    }

    package struct Feature: Sendable, Hashable, Codable {
        package var name: String
        package var type: LogicalType
    }

    // MARK: quantitative_analysis

    package struct Analysis: Sendable, Hashable, Codable {
        package var performanceMetrics: [PerformanceMetric]
        package var evaluation: EvaluationFacts
        package var explanations: ExplanationTable

        enum CodingKeys: String, CodingKey {
            case performanceMetrics = "performance_metrics"
            case evaluation = "sextant_evaluation"
            case explanations = "sextant_explanations"
        }
    }

    /// One metric on the holdout, or on one slice of it (`region=eu`).
    package struct PerformanceMetric: Sendable, Hashable, Codable {
        package var type: String
        package var value: Double
        package var slice: String?
        package var confidenceInterval: ConfidenceInterval?
        /// The slice's holdout rows.
        package var rows: Int?

        enum CodingKeys: String, CodingKey {
            case type, value, slice
            case confidenceInterval = "confidence_interval"
            case rows = "sextant_rows"
        }
    }

    package struct ConfidenceInterval: Sendable, Hashable, Codable {
        package var lowerBound: Double
        package var upperBound: Double

        enum CodingKeys: String, CodingKey {
            case lowerBound = "lower_bound"
            case upperBound = "upper_bound"
        }
    }

    /// How the metrics were measured, and why a part is missing.
    package struct EvaluationFacts: Sendable, Hashable, Codable {
        package var holdoutRows: Int
        /// The confidence of the intervals (0.95), their resamples and seed; nil without intervals.
        package var confidence: Double?
        package var resamples: Int?
        package var seed: UInt64?
        /// Why the metrics carry no intervals.
        package var intervalsMissing: String?
        /// The sensitive features the slices cover.
        package var sensitiveFeatures: [String]
        /// Why there are no per-slice metrics.
        package var slicesMissing: String?
        package var gates: [Gate]

        enum CodingKeys: String, CodingKey {
            case holdoutRows = "holdout_rows"
            case confidence, resamples, seed
            case intervalsMissing = "intervals_missing"
            case sensitiveFeatures = "sensitive_features"
            case slicesMissing = "slices_missing"
            case gates
        }
    }

    package struct Gate: Sendable, Hashable, Codable {
        package var metric: String
        package var sensitiveFeature: String?
        package var value: Double?
        package var min: Double?
        package var max: Double?
        package var passed: Bool

        enum CodingKeys: String, CodingKey {
            case metric
            case sensitiveFeature = "sensitive_feature"
            case value, min, max, passed
        }
    }

    /// Permutation importance (and mean |SHAP|) per feature, or why there is none.
    package struct ExplanationTable: Sendable, Hashable, Codable {
        package var metric: String?
        package var repeats: Int?
        package var seed: UInt64?
        /// The holdout rows permuted, when a sample of a larger holdout.
        package var rows: Int?
        /// In decreasing mean importance.
        package var importances: [Importance]
        package var missing: String?
    }

    package struct Importance: Sendable, Hashable, Codable {
        package var feature: String
        package var mean: Double
        package var std: Double
        package var meanAbsoluteShap: Double?

        enum CodingKeys: String, CodingKey {
            case feature, mean, std
            case meanAbsoluteShap = "mean_abs_shap"
        }
    }

    // MARK: considerations

    package struct Considerations: Sendable, Hashable, Codable {
        package var useCases: [Description]
        package var limitations: [Description]
        package var ethicalConsiderations: [Risk]
        package var privacy: [ClassifiedFeature]
        /// The annotations that were absent (`sextant.dev/intended-use`, …).
        package var notStated: [String]

        enum CodingKeys: String, CodingKey {
            case useCases = "use_cases"
            case limitations
            case ethicalConsiderations = "ethical_considerations"
            case privacy = "sextant_privacy"
            case notStated = "sextant_not_stated"
        }
    }

    package struct Description: Sendable, Hashable, Codable {
        package var description: String
    }

    package struct Risk: Sendable, Hashable, Codable {
        package var name: String
        package var mitigationStrategy: String

        enum CodingKeys: String, CodingKey {
            case name
            case mitigationStrategy = "mitigation_strategy"
        }
    }
}

extension ModelCard {
    /// `model-card.json`: sorted keys, so identical cards give identical bytes.
    package var json: [UInt8] {
        Array(try! Self.encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    package static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Reads `model-card.json` back.
    package static func decode(_ bytes: some Collection<UInt8>) throws -> ModelCard {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ModelCard.self, from: Data(bytes))
    }
}
