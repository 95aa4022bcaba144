import SextantInference
import SextantML

/// Inference: an OIP v2 request's bytes to the answer's bytes (tabular convention, JSON or
/// the binary tensor data extension), independent of the HTTP layer that carries them.
extension ModelServer {
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
        return try respond(request, predictions: predictions, values: rowValues)
    }

    /// The answer's JSON, written directly (every value is finite: checked above), and the
    /// binary part of the outputs asked for in binary. The explanation is computed only
    /// when `explanation` or `explanation_base` is asked for.
    private func respond(_ request: InferenceRequest, predictions: Predictions, values rowValues: [[FeatureValue]]) throws(BadRequest) -> (json: [UInt8], binary: [UInt8]?) {
        let rows = rowValues.count
        var requested: [(name: String, binary: Bool)] = []
        if let outputs = request.requestedOutputs {
            for output in outputs {
                guard let outputName = output.name else { throw BadRequest("every requested output needs a name") }
                requested.append((outputName, output.binaryData ?? request.binaryDataOutput))
            }
        } else {
            requested = [("predict", request.binaryDataOutput)]
        }
        var explanation: LinearExplanation?
        if requested.contains(where: { $0.name == Self.explanationOutput || $0.name == Self.explanationBaseOutput }) {
            let explained = model.explain(rowValues)
            if let row = explained.values.indices.first(where: { explained.values[$0].contains { !$0.isFinite } || !explained.base[$0].isFinite }) {
                throw BadRequest("the model's explanation for row \(row) is not a finite number: its input values are too large for this model")
            }
            explanation = explained
        }
        var json = JSONWriter(capacity: 160 + rows * requested.count * 24)
        json.raw(#"{"model_name":"#)
        json.string(name)
        json.raw(#","model_version":"#)
        json.string(version)
        if let id = request.id {
            json.raw(#","id":"#)
            json.string(id)
        }
        json.raw(#","outputs":["#)
        var binary: [UInt8] = []
        var anyBinary = false
        for (index, (outputName, asBinary)) in requested.enumerated() {
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
            case Self.explanationOutput:
                values = .doubles(explanation!.values.flatMap { $0 })
                shape = [rows, model.preprocessing.features.count]
            case Self.explanationBaseOutput:
                values = .doubles(explanation!.base)
            default:
                let outputs = Self.metadata(model: model, name: name, version: version).outputs.map(\.name)
                throw BadRequest("unknown output \(outputName); this model answers \(outputs.dropLast().joined(separator: ", ")) and \(outputs.last!)")
            }
            if index > 0 { json.comma() }
            json.raw(#"{"name":"#)
            json.string(outputName)
            json.raw(#","datatype":""#)
            json.write(values.datatype)
            json.raw(#"","shape":["#)
            for (position, dimension) in shape.enumerated() {
                if position > 0 { json.comma() }
                json.integer(Int64(dimension))
            }
            json.raw("]")
            var binarySize: Int?
            if asBinary {
                let bytes = TensorCodec.binary(values)
                binary += bytes
                anyBinary = true
                binarySize = bytes.count
            } else {
                json.raw(#","data":["#)
                Self.write(values, to: &json)
                json.raw("]")
            }
            if binarySize != nil || classes != nil {
                json.raw(#","parameters":{"#)
                if let binarySize {
                    json.raw(#""binary_data_size":"#)
                    json.integer(Int64(binarySize))
                    if classes != nil { json.comma() }
                }
                if let classes {
                    json.raw(#""classes":["#)
                    for (position, label) in classes.enumerated() {
                        if position > 0 { json.comma() }
                        json.string(label)
                    }
                    json.raw("]")
                }
                json.raw("}")
            }
            json.raw("}")
        }
        json.raw("]}")
        return (json.bytes, anyBinary ? binary : nil)
    }

    /// An output's values, comma-separated.
    private static func write(_ values: OutputValues, to json: inout JSONWriter) {
        switch values {
        case .doubles(let numbers):
            for (index, number) in numbers.enumerated() {
                if index > 0 { json.comma() }
                json.number(number)
            }
        case .integers(let numbers):
            for (index, number) in numbers.enumerated() {
                if index > 0 { json.comma() }
                json.integer(number)
            }
        case .booleans(let flags):
            for (index, flag) in flags.enumerated() {
                if index > 0 { json.comma() }
                json.bool(flag)
            }
        case .texts(let texts):
            for (index, text) in texts.enumerated() {
                if index > 0 { json.comma() }
                json.string(text)
            }
        }
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
