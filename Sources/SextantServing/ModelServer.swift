import Foundation
package import Logging
package import SextantHTTP
public import SextantML

/// The built-in Open Inference Protocol v2 server (DESIGN §5) for a built-in model: health,
/// metadata (with `parameters.classes`), inference in JSON or with the binary tensor data
/// extension, the tabular convention (one input per feature column, `shape [N]`, a missing
/// value as `null` or NaN), the outputs `predict`, `predict_proba` (classifiers) and, when
/// named, the exact SHAP values `explanation` and `explanation_base` (DESIGN §9), and
/// `{"error"}` with 400 or 404.
public struct ModelServer: Sendable {
    package let name: String
    package let version: String
    package let model: TrainedModel
    /// What requests are matched and answered with, made once.
    let nameBytes: [UInt8]
    let versionBytes: [UInt8]
    let serverMetadataJSON: [UInt8]
    let modelMetadataJSON: [UInt8]

    public init(name: String, version: String, model: TrainedModel) {
        self.name = name
        self.version = version
        self.model = model
        nameBytes = Array(name.utf8)
        versionBytes = Array(version.utf8)
        serverMetadataJSON = Self.json(ServerMetadata(name: "sextant", version: "1", extensions: ["binary_tensor_data"]))
        modelMetadataJSON = Self.json(Self.metadata(model: model, name: name, version: version))
    }

    /// The server on `host:port`, refusing what `limits` refuse (413, 408, 400; see
    /// `HTTPLimits`), as a service that drains on graceful shutdown.
    /// - Parameter drainTime: how long requests in progress may take to finish once
    ///   shutdown began.
    package func application(host: String, port: Int, limits: HTTPLimits = HTTPLimits(), drainTime: Duration = .seconds(5), logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> ModelHTTPServer {
        ModelHTTPServer(server: self, host: host, port: port, limits: limits, drainTime: drainTime, logger: logger, onServerRunning: onServerRunning)
    }

    // MARK: - Metadata

    struct ServerMetadata: Encodable {
        var name: String
        var version: String
        var extensions: [String]
    }

    struct TensorMetadata: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
        var parameters: [String: [String]]?
    }

    struct ModelMetadata: Encodable {
        var name: String
        var versions: [String]
        var platform: String
        var inputs: [TensorMetadata]
        var outputs: [TensorMetadata]
        var parameters: [String: String]
    }

    static func metadata(model: TrainedModel, name: String, version: String) -> ModelMetadata {
        let inputs = model.preprocessing.features.map {
            TensorMetadata(name: $0.name, datatype: $0.kind == .numeric ? "FP64" : "BYTES", shape: [-1], parameters: nil)
        }
        var outputs = [TensorMetadata(name: "predict", datatype: labelType(model), shape: [-1], parameters: model.classes.map { ["classes": $0] })]
        if let classes = model.classes {
            outputs.append(TensorMetadata(name: "predict_proba", datatype: "FP64", shape: [-1, classes.count], parameters: ["classes": classes]))
        }
        let features = model.preprocessing.features.map(\.name)
        outputs.append(TensorMetadata(name: explanationOutput, datatype: "FP64", shape: [-1, features.count], parameters: ["features": features]))
        outputs.append(TensorMetadata(name: explanationBaseOutput, datatype: "FP64", shape: [-1], parameters: nil))
        return ModelMetadata(name: name, versions: [version], platform: "sextant-\(model.trainer.rawValue)", inputs: inputs, outputs: outputs,
                             parameters: ["content_type": "pd"])
    }

    /// Exact linear SHAP values (DESIGN §9), `[N, F]`, features in the model's order (for
    /// softmax, the predicted class's), answered only when a request names it.
    static let explanationOutput = "explanation"
    /// The base value of each row's explanation, `[N]`: Σ explanation + base = the raw output.
    static let explanationBaseOutput = "explanation_base"

    /// The datatype of `predict`: the target's (booleans, integers, text) or FP64.
    var labelType: String { Self.labelType(model) }

    static func labelType(_ model: TrainedModel) -> String {
        guard let classes = model.classes else { return "FP64" }
        if classes.allSatisfy({ $0 == "true" || $0 == "false" }) { return "BOOL" }
        if classes.allSatisfy({ Int64($0) != nil }) { return "INT64" }
        return "BYTES"
    }

    static func json(_ value: some Encodable) -> [UInt8] {
        Array(try! JSONEncoder().encode(value))
    }
}
