import Foundation

/// One OIP v2 message body — a request's `inputs` or an answer's `outputs` — decoded and
/// checked: the JSON header (all of the body, or the first `Inference-Header-Content-Length`
/// bytes of it) and each listed tensor's values, from `data` or from the binary part that
/// follows the header, in list order.
///
/// Every number the message carries is checked before it is used: the header length, each
/// `binary_data_size` (a whole number of bytes, within what is left of the body), each
/// dimension of a `shape` (a whole number; their product is the element count, computed
/// without overflow) and every value against its datatype.
package struct InferenceMessage {
    /// Which list of tensors a message carries.
    package enum List: String, Sendable {
        case inputs, outputs

        /// How a message names one of them: `input amount`.
        var noun: String { self == .inputs ? "input" : "output" }
    }

    package var root: JSONElement
    package var tensors: [DecodedTensor]

    /// The largest dimension a shape may give: far beyond any body a server accepts.
    package static let maxDimension = Double(Int32.max)

    /// - Parameter field: the `Inference-Header-Content-Length` field as sent (nil for a
    ///   body that is all JSON).
    package init(_ body: [UInt8], headerLength field: String?, list: List) throws(BadRequest) {
        let noun = list.noun
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
            throw BadRequest("the \(list == .inputs ? "request" : "answer") is not JSON: \(error.localizedDescription)")
        }
        guard let items = root[list.rawValue]?.array, !items.isEmpty else {
            throw BadRequest("the \(list == .inputs ? "request" : "answer") has no \(list.rawValue)")
        }

        tensors = []
        var offset = headerEnd
        for (position, item) in items.enumerated() {
            guard let name = item["name"]?.string else { throw BadRequest("\(noun) \(position) has no name") }
            guard let datatypeName = item["datatype"]?.string else { throw BadRequest("\(noun) \(name) has no datatype") }
            guard let datatype = TensorDatatype(rawValue: datatypeName) else {
                throw BadRequest("\(noun) \(name): datatype \(datatypeName.prefix(40)) is not one of \(TensorDatatype.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let shape = try Self.shape(item["shape"], tensor: "\(noun) \(name)")
            let elements = try Self.elementCount(shape, tensor: "\(noun) \(name)")
            let values: TensorValues
            if let size = item["parameters"]?["binary_data_size"] {
                guard case .number(let number) = size, number >= 0, number.rounded(.towardZero) == number, number <= Double(body.count - offset) else {
                    throw BadRequest("\(noun) \(name): binary_data_size \(Self.describe(size)) is not a byte count within the \(body.count - offset) bytes left of the body")
                }
                let length = Int(number)
                values = try TensorCodec.values(fromBinary: body[offset..<(offset + length)], datatype: datatype, name: name)
                offset += length
            } else if let data = item["data"] {
                values = try TensorCodec.values(fromJSON: data, datatype: datatype, name: name)
            } else {
                throw BadRequest("\(noun) \(name) has neither data nor binary_data_size")
            }
            guard values.count == elements else {
                throw BadRequest("\(noun) \(name): shape \(Self.describe(item["shape"]!)) holds \(elements) values, but \(values.count) were sent")
            }
            tensors.append(DecodedTensor(name: name, datatype: datatype, shape: shape, values: values, parameters: item["parameters"]))
        }
    }

    /// A shape's dimensions: each a whole number from 0 to `maxDimension`.
    private static func shape(_ shape: JSONElement?, tensor: String) throws(BadRequest) -> [Int] {
        guard let shape else { throw BadRequest("\(tensor) has no shape; the tabular convention sends shape [N]") }
        guard let dimensions = shape.array, !dimensions.isEmpty else {
            throw BadRequest("\(tensor): shape \(describe(shape)) is not a list of dimensions")
        }
        var result: [Int] = []
        for dimension in dimensions {
            guard case .number(let value) = dimension, value >= 0, value <= maxDimension, value.rounded(.towardZero) == value else {
                throw BadRequest("\(tensor): shape \(describe(shape)): every dimension must be a whole number from 0 to \(Int(maxDimension))")
            }
            result.append(Int(value))
        }
        return result
    }

    /// The number of elements a shape holds, multiplied without overflow.
    private static func elementCount(_ shape: [Int], tensor: String) throws(BadRequest) -> Int {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw BadRequest("\(tensor): shape \(shape) holds more elements than can be counted") }
            count = product
        }
        return count
    }

    /// A JSON value as a message shows it, cut short.
    package static func describe(_ element: JSONElement) -> String {
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

/// One tensor of a message: its name, datatype, shape, values (row-major) and parameters.
package struct DecodedTensor {
    package var name: String
    package var datatype: TensorDatatype
    package var shape: [Int]
    package var values: TensorValues
    /// The tensor's `parameters` object as sent (`classes` of an answer's `predict_proba`).
    package var parameters: JSONElement?
}
