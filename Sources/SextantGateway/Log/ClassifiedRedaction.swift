import SextantInference
import SextantWire

/// Rewrites a logged request so that a model's classified inputs reach the disk only as
/// keyed hashes (DESIGN §7, §9). It runs on the prediction log's writer thread, never on an
/// event loop: the exchange was captured as bytes, and only a model with classified inputs
/// pays for the rewrite.
///
/// The request is decoded as the model server decodes it (JSON `data` or the binary
/// extension) and written again as JSON, one input per tensor: a classified input becomes a
/// `BYTES` tensor of `hmac:…` strings (nulls stay null), the other inputs keep their values
/// and datatypes. A single `[N, F]` tensor is split into one input per feature first, so its
/// classified columns can be hashed. A request that cannot be decoded, or whose classified
/// values cannot be found, is logged without its body: never in clear.
struct ClassifiedRedaction {
    var inputs: HashedInputs
    var key: PredictionLogKey

    /// What became of a request.
    enum Outcome: Equatable {
        /// Its classified inputs were hashed.
        case hashed
        /// Its body was dropped.
        case bodyDropped
    }

    /// The record with its request rewritten.
    func redact(_ record: inout PredictionRecord) -> Outcome {
        guard let rewritten = rewrite(record.request) else {
            record.request = PredictionRecord.Body(contentType: record.request.contentType, bytes: [])
            return .bodyDropped
        }
        record.request = PredictionRecord.Body(contentType: "application/json", bytes: rewritten)
        return .hashed
    }

    private func rewrite(_ body: PredictionRecord.Body) -> [UInt8]? {
        let request: InferenceRequest
        do throws(BadRequest) {
            request = try InferenceRequest(body.bytes, headerLength: body.inferenceHeaderLength.map(String.init))
        } catch {
            return nil
        }
        guard let tensors = columns(of: request.inputs) else { return nil }
        let hashed = Set(inputs.names)
        var writer = JSONWriter(capacity: body.bytes.count * 2)
        writer.raw("{")
        if let id = request.id {
            writer.key("id")
            writer.string(id)
            writer.comma()
        }
        writer.key("inputs")
        writer.raw("[")
        for (index, tensor) in tensors.enumerated() {
            if index > 0 { writer.comma() }
            write(tensor, hashing: hashed.contains(tensor.name), into: &writer)
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// One input as it is written again.
    private struct Input {
        var name: String
        var datatype: TensorDatatype
        var shape: [Int]
        var values: TensorValues
    }

    /// The request's inputs with every classified feature its own tensor; nil when a
    /// classified feature is in none of them.
    private func columns(of tensors: [DecodedTensor]) -> [Input]? {
        let names = Set(tensors.map(\.name))
        if inputs.names.allSatisfy(names.contains) {
            return tensors.map { Input(name: $0.name, datatype: $0.datatype, shape: $0.shape, values: $0.values) }
        }
        // The tabular convention's other form: one [N, F] tensor, features in the model's order.
        guard tensors.count == 1, let matrix = tensors.first, matrix.shape.count == 2, matrix.shape[1] == inputs.features.count,
              !inputs.features.isEmpty else { return nil }
        let width = inputs.features.count
        return inputs.features.enumerated().map { column, name in
            let values: TensorValues = switch matrix.values {
            case .numbers(let all): .numbers(stride(from: column, to: all.count, by: width).map { all[$0] })
            case .texts(let all): .texts(stride(from: column, to: all.count, by: width).map { all[$0] })
            }
            return Input(name: name, datatype: matrix.datatype, shape: [matrix.shape[0]], values: values)
        }
    }

    private func write(_ tensor: Input, hashing: Bool, into writer: inout JSONWriter) {
        writer.raw("{")
        writer.key("name")
        writer.string(tensor.name)
        writer.comma()
        writer.key("shape")
        writer.raw("[")
        for (index, size) in tensor.shape.enumerated() {
            if index > 0 { writer.comma() }
            writer.integer(Int64(size))
        }
        writer.raw("]")
        writer.comma()
        writer.key("datatype")
        writer.string(hashing ? TensorDatatype.bytes.rawValue : tensor.datatype.rawValue)
        writer.comma()
        writer.key("data")
        writer.raw("[")
        switch tensor.values {
        case .texts(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { writer.comma() }
                guard let value else { writer.raw("null"); continue }
                writer.string(hashing ? key.hash(value) : value)
            }
        case .numbers(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { writer.comma() }
                guard let value else { writer.raw("null"); continue }
                if hashing {
                    writer.string(key.hash(PredictionLogKey.text(value, boolean: tensor.datatype == .bool)))
                } else if tensor.datatype == .bool {
                    writer.bool(value != 0)
                } else if tensor.datatype.isWhole, let whole = Int64(exactly: value) {
                    writer.integer(whole)
                } else {
                    writer.number(value)
                }
            }
        }
        writer.raw("]}")
    }
}
