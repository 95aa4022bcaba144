import Foundation
import SextantInference
import SextantML

/// Inference: an OIP v2 request's bytes to the answer's bytes (tabular convention, JSON or
/// the binary tensor data extension), independent of the HTTP layer that carries them.
extension ModelServer {
    struct OutputTensor: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
        var data: OutputValues?
        var parameters: OutputParameters?
    }

    struct OutputParameters: Encodable {
        var binary_data_size: Int?
        var classes: [String]?
    }

    struct InferResponse: Encodable {
        var model_name: String
        var model_version: String
        var id: String?
        var outputs: [OutputTensor]
    }

    /// The answer to an infer request: JSON, and the binary part when one was asked for.
    /// - Parameter headerLength: the `Inference-Header-Content-Length` field as sent.
    func infer(_ body: [UInt8], headerLength: String?) throws(BadRequest) -> (json: [UInt8], binary: [UInt8]?) {
        let request = try InferenceRequest(body, headerLength: headerLength)
        let features = model.preprocessing.features
        for name in request.tensors.keys where !features.contains(where: { $0.name == name }) {
            throw BadRequest("unknown input \(name); the model's inputs are \(features.map(\.name).joined(separator: ", "))")
        }
        var columns: [TensorValues] = []
        for feature in features {
            guard let values = request.tensors[feature.name] else {
                throw BadRequest("missing input \(feature.name); the model's inputs are \(features.map(\.name).joined(separator: ", "))")
            }
            // The datatype must agree with what the model does with the feature: a number
            // sent as text would otherwise be imputed as missing, text sent as a number lost.
            switch (feature.kind, values) {
            case (.numeric, .texts):
                throw BadRequest("input \(feature.name): datatype BYTES, but the model reads \(feature.name) as a number; send it as FP64 (or another numeric datatype)")
            case (.categorical, .numbers):
                throw BadRequest("input \(feature.name): a numeric datatype, but the model reads \(feature.name) as text; send it as BYTES")
            default:
                columns.append(values)
            }
        }
        let rows = columns[0].count
        if let other = columns.firstIndex(where: { $0.count != rows }) {
            throw BadRequest("inputs hold different numbers of rows: \(features[0].name) has \(rows), \(features[other].name) has \(columns[other].count)")
        }
        let rowValues = (0..<rows).map { row in
            columns.map { column -> FeatureValue in
                switch column {
                case .numbers(let numbers): numbers[row].map(FeatureValue.number) ?? .missing
                case .texts(let texts): texts[row].map(FeatureValue.text) ?? .missing
                }
            }
        }
        let predictions = model.predict(rowValues)
        if let row = predictions.outputs.firstIndex(where: { $0.contains { !$0.isFinite } }) {
            throw BadRequest("the model's answer for row \(row) is not a finite number: its input values are too large for this model")
        }
        return try respond(request.root, predictions: predictions, rows: rows)
    }

    private func respond(_ root: JSONElement, predictions: Predictions, rows: Int) throws(BadRequest) -> (json: [UInt8], binary: [UInt8]?) {
        let allBinary = root["parameters"]?["binary_data_output"]?.bool == true
        var requested: [(name: String, binary: Bool)] = []
        if let outputs = root["outputs"]?.array, !outputs.isEmpty {
            for output in outputs {
                guard let outputName = output["name"]?.string else { throw BadRequest("every requested output needs a name") }
                requested.append((outputName, output["parameters"]?["binary_data"]?.bool ?? allBinary))
            }
        } else {
            requested = [("predict", allBinary)]
        }
        var tensors: [OutputTensor] = []
        var binary: [UInt8] = []
        var anyBinary = false
        for (outputName, asBinary) in requested {
            let values: OutputValues
            var shape = [rows]
            var classes: [String]?
            switch outputName {
            case "predict":
                values = predictValues(predictions)
            case "predict_proba" where model.classes != nil:
                values = .doubles(predictions.outputs.flatMap { $0 })
                shape = [rows, model.classes!.count]
                classes = model.classes
            default:
                throw BadRequest("unknown output \(outputName); this model answers \(model.classes == nil ? "predict" : "predict and predict_proba")")
            }
            if asBinary {
                let bytes = TensorCodec.binary(values)
                binary += bytes
                anyBinary = true
                tensors.append(OutputTensor(name: outputName, datatype: values.datatype, shape: shape, data: nil,
                                            parameters: OutputParameters(binary_data_size: bytes.count, classes: classes)))
            } else {
                tensors.append(OutputTensor(name: outputName, datatype: values.datatype, shape: shape, data: values,
                                            parameters: classes.map { OutputParameters(binary_data_size: nil, classes: $0) }))
            }
        }
        let response = InferResponse(model_name: name, model_version: version, id: root["id"]?.string, outputs: tensors)
        // Every value is finite (checked above), which is all JSONEncoder can refuse.
        guard let json = try? JSONEncoder().encode(response) else { throw BadRequest("the answer could not be encoded as JSON") }
        return (Array(json), anyBinary ? binary : nil)
    }

    private func predictValues(_ predictions: Predictions) -> OutputValues {
        switch labelType {
        case "FP64": return .doubles(predictions.outputs.map { $0[0] })
        case "BOOL": return .booleans(predictions.labels.map { $0 == "true" })
        case "INT64": return .integers(predictions.labels.map { Int64($0) ?? 0 })
        default: return .texts(predictions.labels)
        }
    }
}
