import Foundation

/// An OIP v2 infer request, decoded and checked: the JSON header (all of the body, or the
/// first `Inference-Header-Content-Length` bytes of it), and every input's values — from
/// `data`, or from the binary part that follows the header, in input order.
///
/// Every number the request carries is checked before it is used: the header length,
/// each `binary_data_size` (a whole number of bytes, within what is left of the body),
/// each dimension of a `shape` (a whole number; their product is the element count,
/// computed without overflow) and every value against its datatype. What does not hold is
/// a `BadRequest` naming the input.
struct InferenceRequest {
    /// The header, kept for what the answer needs (`id`, `outputs`, `parameters`).
    var root: JSONElement
    /// Every input's values, by name.
    var tensors: [String: TensorValues]

    /// The largest dimension a shape may give: far beyond any body this server accepts.
    static let maxDimension = Double(Int32.max)

    init(_ body: [UInt8], headerLength field: String?) throws(BadRequest) {
        var headerEnd = body.count
        if let field {
            guard let length = Int(field.trimmingCharacters(in: .whitespaces)), length >= 0, length <= body.count else {
                throw BadRequest("Inference-Header-Content-Length \"\(field.prefix(40))\" is not a byte count within the body (\(body.count) bytes)")
            }
            headerEnd = length
        }
        do {
            root = try JSONDecoder().decode(JSONElement.self, from: Data(body[..<headerEnd]))
        } catch {
            throw BadRequest("the request is not JSON: \(error.localizedDescription)")
        }
        guard let inputs = root["inputs"]?.array, !inputs.isEmpty else { throw BadRequest("the request has no inputs") }

        tensors = [:]
        var offset = headerEnd
        for (position, input) in inputs.enumerated() {
            guard let name = input["name"]?.string else { throw BadRequest("input \(position) has no name") }
            guard let datatypeName = input["datatype"]?.string else { throw BadRequest("input \(name) has no datatype") }
            guard let datatype = TensorDatatype(rawValue: datatypeName) else {
                throw BadRequest("input \(name): datatype \(datatypeName.prefix(40)) is not one of \(TensorDatatype.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let elements = try Self.elementCount(input["shape"], input: name)
            let values: TensorValues
            if let size = input["parameters"]?["binary_data_size"] {
                guard case .number(let number) = size, number >= 0, number.rounded(.towardZero) == number, number <= Double(body.count - offset) else {
                    throw BadRequest("input \(name): binary_data_size \(Self.describe(size)) is not a byte count within the \(body.count - offset) bytes left of the body")
                }
                let length = Int(number)
                values = try TensorCodec.values(fromBinary: body[offset..<(offset + length)], datatype: datatype, name: name)
                offset += length
            } else if let data = input["data"] {
                values = try TensorCodec.values(fromJSON: data, datatype: datatype, name: name)
            } else {
                throw BadRequest("input \(name) has neither data nor binary_data_size")
            }
            guard values.count == elements else {
                throw BadRequest("input \(name): shape \(Self.describe(input["shape"]!)) holds \(elements) values, but \(values.count) were sent")
            }
            guard tensors.updateValue(values, forKey: name) == nil else { throw BadRequest("input \(name) is given twice") }
        }
    }

    /// The number of elements a shape holds: each dimension a whole number from 0 to
    /// `maxDimension`, multiplied without overflow.
    private static func elementCount(_ shape: JSONElement?, input name: String) throws(BadRequest) -> Int {
        guard let shape else { throw BadRequest("input \(name) has no shape; the tabular convention sends shape [N]") }
        guard let dimensions = shape.array, !dimensions.isEmpty else {
            throw BadRequest("input \(name): shape \(describe(shape)) is not a list of dimensions")
        }
        var count = 1
        for dimension in dimensions {
            guard case .number(let value) = dimension, value >= 0, value <= maxDimension, value.rounded(.towardZero) == value else {
                throw BadRequest("input \(name): shape \(describe(shape)): every dimension must be a whole number from 0 to \(Int(maxDimension))")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(value))
            guard !overflow else { throw BadRequest("input \(name): shape \(describe(shape)) holds more elements than can be counted") }
            count = product
        }
        return count
    }

    /// A JSON value as a message shows it, cut short.
    static func describe(_ element: JSONElement) -> String {
        let text: String
        switch element {
        case .null: text = "null"
        case .bool(let flag): text = String(flag)
        case .number(let number): text = number.rounded(.towardZero) == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case .string(let string): text = "\"\(string)\""
        case .array(let items): text = "[" + items.prefix(8).map(describe).joined(separator: ", ") + (items.count > 8 ? ", …" : "") + "]"
        case .object: text = "{…}"
        }
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
