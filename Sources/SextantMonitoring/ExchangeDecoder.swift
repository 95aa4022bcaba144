import SextantInference

/// Decodes one logged exchange into rows, with the OIP v2 decoding the model server uses
/// (`InferenceMessage`: JSON `data` and the binary tensor data extension).
///
/// The request follows the tabular convention: one input per feature, named after it, with
/// shape `[N]` (or `[N, 1]`), or a single `[N, F]` tensor holding the features in the model's
/// order. The answer carries `predict` (`[N]` or `[N, 1]`) and, for a classifier,
/// `predict_proba` (`[N, K]`, columns in class order, or in the order of its
/// `parameters.classes` when it lists them); at least one of the two.
package enum ExchangeDecoder {
    package static func rows(of exchange: LoggedExchange, signature: ModelSignature) throws(UndecodableExchange) -> [DecodedRow] {
        guard exchange.status == 200 else {
            throw UndecodableExchange(.status, "the answer was HTTP \(exchange.status); only a 200 answer carries predictions")
        }
        let request: InferenceRequest
        do {
            request = try InferenceRequest(exchange.request.bytes, headerLength: exchange.request.headerLength.map(String.init))
        } catch {
            throw UndecodableExchange(.request, "request: \(error.message)\(hint(exchange.request))")
        }
        let columns = try featureColumns(request.inputs, signature: signature)
        let rowCount = columns.first?.count ?? 0

        let answer: InferenceMessage
        do {
            answer = try InferenceMessage(exchange.answer.bytes, headerLength: exchange.answer.headerLength.map(String.init), list: .outputs)
        } catch {
            throw UndecodableExchange(.answer, "answer: \(error.message)\(hint(exchange.answer))")
        }
        let outputs = Dictionary(answer.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var predictions: [RowValue]?
        if let predict = outputs["predict"] {
            guard predict.values.count == rowCount else {
                throw UndecodableExchange(.layout, "the answer's predict holds \(predict.values.count) values for the request's \(rowCount) rows")
            }
            predictions = values(of: predict)
        }
        var probabilities: [[Double]]?
        if signature.isClassifier, let proba = outputs["predict_proba"] {
            probabilities = try probabilityRows(proba, rows: rowCount, classes: signature.classes)
        }
        guard predictions != nil || probabilities != nil else {
            let names = answer.tensors.map(\.name).joined(separator: ", ")
            throw UndecodableExchange(.layout, "the answer has neither predict nor \(signature.isClassifier ? "predict_proba" : "a value") (outputs: \(names))")
        }
        return (0..<rowCount).map { row in
            DecodedRow(features: columns.map { $0[row] }, predict: predictions?[row], probabilities: probabilities?[row])
        }
    }

    /// The feature values, one column per feature in the model's order.
    private static func featureColumns(_ inputs: [DecodedTensor], signature: ModelSignature) throws(UndecodableExchange) -> [[RowValue]] {
        let features = signature.features
        let byName = Dictionary(inputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = features.filter { byName[$0] == nil }
        if missing.isEmpty, !features.isEmpty {
            let columns = features.map { values(of: byName[$0]!) }
            if let other = columns.firstIndex(where: { $0.count != columns[0].count }) {
                throw UndecodableExchange(.layout, "inputs hold different numbers of rows: \(features[0]) has \(columns[0].count), \(features[other]) has \(columns[other].count)")
            }
            return columns
        }
        if inputs.count == 1, let matrix = inputs.first, matrix.shape.count == 2, matrix.shape[1] == features.count, !features.isEmpty {
            let flat = values(of: matrix)
            let width = features.count
            return (0..<width).map { column in stride(from: column, to: flat.count, by: width).map { flat[$0] } }
        }
        let sent = inputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
        throw UndecodableExchange(.layout, "the request has no input for \(missing.joined(separator: ", ")) and no single [N, \(features.count)] tensor (inputs: \(sent)); the tabular convention sends one input per feature, named after it")
    }

    /// A tensor's values typed by its datatype.
    private static func values(of tensor: DecodedTensor) -> [RowValue] {
        switch tensor.values {
        case .texts(let texts):
            return texts.map { $0.map(RowValue.string) ?? .null }
        case .numbers(let numbers):
            return numbers.map { number in
                guard let number else { return .null }
                switch tensor.datatype {
                case .bool: return .boolean(number != 0)
                case .fp16, .fp32, .fp64: return .number(number)
                default: return Int64(exactly: number).map(RowValue.integer) ?? .number(number)
                }
            }
        }
    }

    /// `predict_proba` as one row of probabilities per request row, in `classes` order.
    private static func probabilityRows(_ tensor: DecodedTensor, rows: Int, classes: [String]) throws(UndecodableExchange) -> [[Double]] {
        guard case .numbers(let numbers) = tensor.values else {
            throw UndecodableExchange(.layout, "the answer's predict_proba is \(tensor.datatype.rawValue), not numbers")
        }
        let width = classes.count
        guard numbers.count == rows * width else {
            throw UndecodableExchange(.layout, "the answer's predict_proba holds \(numbers.count) values (shape \(tensor.shape)) for \(rows) rows of \(width) classes")
        }
        // Column of each class: by the answer's own class list when it gives one.
        var columnOf = Array(0..<width)
        if let listed = tensor.classes {
            guard listed.count == width, Set(listed) == Set(classes) else {
                throw UndecodableExchange(.layout, "the answer's predict_proba lists classes \(listed.joined(separator: ", ")), the model has \(classes.joined(separator: ", "))")
            }
            columnOf = classes.map { listed.firstIndex(of: $0)! }
        }
        var result: [[Double]] = []
        result.reserveCapacity(rows)
        for row in 0..<rows {
            var probabilities: [Double] = []
            for (index, column) in columnOf.enumerated() {
                guard let value = numbers[row * width + column] else {
                    throw UndecodableExchange(.layout, "the answer's predict_proba has no value for row \(row), class \(classes[index])")
                }
                probabilities.append(value)
            }
            result.append(probabilities)
        }
        return result
    }

    /// Why a body that is not JSON may not be: binary tensors without their header length.
    private static func hint(_ body: LoggedExchange.Body) -> String {
        guard body.headerLength == nil, let type = body.contentType?.lowercased(), !type.contains("json") else { return "" }
        return " (the body is \(type) but no Inference-Header-Content-Length was logged)"
    }
}
