import Foundation
import SextantInference
import SextantWire

/// Rewrites a logged exchange so that a model's classified inputs reach the disk only as
/// keyed hashes (DESIGN §7, §9). It runs on the prediction log's writer thread, never on an
/// event loop: the exchange was captured as bytes, and only a model with classified inputs
/// pays for the rewrite.
///
/// The request is decoded as the model server decodes it (JSON `data` or the binary
/// extension) and written again as JSON, one input per tensor: a classified column becomes a
/// `BYTES` tensor of `hmac:…` strings (nulls stay null), the other columns of the contract
/// table keep their values and datatypes, and inputs that are no column of it (an alias, an
/// extra matrix that may carry the same values) are left out, their names listed in the
/// request's `parameters.sextant_inputs_left_out`. A single `[N, F]` tensor is split into one
/// input per feature first, so its classified columns can be hashed. A request that cannot be
/// decoded, or whose classified features cannot be found, is logged without its body: never
/// in clear. The answer is kept only for a 2xx status and a request that was rewritten: an
/// error may echo a value the request sent.
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

    /// The record with its request rewritten, and its answer dropped unless it is a 2xx
    /// answer to a request that was.
    func redact(_ record: inout PredictionRecord) -> Outcome {
        guard let rewritten = rewrite(record.request) else {
            Self.dropBodies(&record)
            return .bodyDropped
        }
        record.request = PredictionRecord.Body(contentType: "application/json", bytes: rewritten)
        if !(200..<300).contains(record.status) {
            record.answer = PredictionRecord.Body(contentType: record.answer.contentType, bytes: [])
        }
        return .hashed
    }

    /// Empties both bodies, keeping their content types: what is logged of an exchange
    /// whose classified inputs cannot be hashed.
    static func dropBodies(_ record: inout PredictionRecord) {
        record.request = PredictionRecord.Body(contentType: record.request.contentType, bytes: [])
        record.answer = PredictionRecord.Body(contentType: record.answer.contentType, bytes: [])
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
        let columns = Set(inputs.columns)
        let kept = tensors.filter { columns.contains($0.name) }
        let leftOut = tensors.filter { !columns.contains($0.name) }.map(\.name)
        var writer = JSONWriter(capacity: body.bytes.count * 2)
        writer.raw("{")
        if let id = request.id {
            writer.key("id")
            writer.string(id)
            writer.comma()
        }
        if !leftOut.isEmpty {
            writer.key("parameters")
            writer.raw("{")
            writer.key("sextant_inputs_left_out")
            writer.raw("[")
            for (index, name) in leftOut.enumerated() {
                if index > 0 { writer.comma() }
                writer.string(name)
            }
            writer.raw("]}")
            writer.comma()
        }
        writer.key("inputs")
        writer.raw("[")
        for (index, tensor) in kept.enumerated() {
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
        let all = tensors.map { Input(name: $0.name, datatype: $0.datatype, shape: $0.shape, values: $0.values) }
        let names = Set(tensors.map(\.name))
        let features = Set(inputs.features)
        // The tabular convention's other form: the features as one [N, F] tensor, in the
        // model's order, under a name that is no column (other columns may come beside it).
        let outside = all.filter { !inputs.columns.contains($0.name) }
        if outside.count == 1, let matrix = outside.first, matrix.shape.count == 2, !features.isEmpty,
           matrix.shape[1] == inputs.features.count, names.isDisjoint(with: features) {
            return split(matrix) + all.filter { $0.name != matrix.name }
        }
        guard inputs.names.allSatisfy({ !features.contains($0) || names.contains($0) }) else { return nil }
        return all
    }

    /// An `[N, F]` tensor as one `[N]` input per feature.
    private func split(_ matrix: Input) -> [Input] {
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
                writer.string(hashing ? key.hash(hashedText(value, of: tensor.name)) : value)
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

    /// The text a value sent as text is hashed as: for a column of a numeric contract type,
    /// the number it reads as (`48213.0` as `48213`, as the numeric forms and the reference
    /// sample hash it); else, or when it reads as no number, as written.
    private func hashedText(_ value: String, of column: String) -> String {
        guard inputs.numeric.contains(column), let number = Double(value.trimmingCharacters(in: .whitespaces)) else { return value }
        return PredictionLogKey.text(number)
    }
}

extension PredictionRecord {
    /// A record's fields without its bodies (both left empty): what is logged of an
    /// exchange whose bodies cannot be decoded.
    init(fieldsOf payload: [UInt8]) throws(SegmentError) {
        var reader = RecordReader(payload)
        self.init(time: try reader.integer(), requestId: try reader.string(), model: try reader.string(),
                  revision: Int(try reader.integer(Int64.self)), version: Int(try reader.integer(Int64.self)),
                  status: Int(try reader.integer(UInt16.self)), latencyMs: try reader.double(), request: Body(bytes: []), answer: Body(bytes: []))
    }
}
