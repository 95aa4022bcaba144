import Foundation

/// One OIP v2 message body — a request's `inputs` or an answer's `outputs` — read straight
/// from its bytes and checked: the JSON header (all of the body, or the first
/// `Inference-Header-Content-Length` bytes of it) and each listed tensor's values, from
/// `data` (read directly into the tensor's column) or from the binary part that follows the
/// header, in list order. Of the rest of the header it keeps what an answer needs (`id`,
/// `parameters.binary_data_output`, the requested `outputs`); other keys are skipped.
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
        /// How a message names the body: `the request`.
        var subject: String { self == .inputs ? "request" : "answer" }
    }

    /// The listed tensors, checked, in list order.
    package var tensors: [DecodedTensor]
    /// The top-level `id`, when it is a string.
    package var id: String?
    /// `parameters.binary_data_output` of a request.
    package var binaryDataOutput = false
    /// The outputs a request asks for (nil when it lists none).
    package var requestedOutputs: [RequestedOutput]?

    /// The largest dimension a shape may give: far beyond any body a server accepts.
    package static let maxDimension = Double(Int32.max)

    /// - Parameter field: the `Inference-Header-Content-Length` field as sent (nil for a
    ///   body that is all JSON).
    package init(_ body: [UInt8], headerLength field: String?, list: List) throws(BadRequest) {
        var headerEnd = body.count
        if let field {
            guard let length = Int(field.trimmingCharacters(in: .whitespaces)), length >= 0, length <= body.count else {
                throw BadRequest("Inference-Header-Content-Length \"\(field.prefix(40))\" is not a byte count within the body (\(body.count) bytes)")
            }
            headerEnd = length
        }
        tensors = []
        var headers: [TensorHeader]?
        try body.withUnsafeBufferPointer { all throws(BadRequest) in
            var scanner = JSONScanner(UnsafeBufferPointer(rebasing: all[..<headerEnd]), subject: list.subject)
            if scanner.peek() != UInt8(ascii: "{") {
                // JSON, but not an object: it lists nothing.
                try scanner.skipValue(depth: 0)
                try scanner.expectEnd()
                throw BadRequest("the \(list.subject) has no \(list.rawValue)")
            }
            try scanner.readObject(depth: 0) { scanner, key throws(BadRequest) in
                switch key {
                case list.rawValue:
                    guard scanner.peek() == UInt8(ascii: "[") else { return try scanner.skipValue(depth: 1) }
                    var items: [TensorHeader] = []
                    try scanner.readArray(depth: 1) { scanner throws(BadRequest) in
                        items.append(try TensorHeader(&scanner, list: list, position: items.count))
                    }
                    headers = items
                case "outputs" where list == .inputs:
                    requestedOutputs = try RequestedOutput.list(&scanner)
                case "id":
                    id = try scanner.readStringIfAny(depth: 1)
                case "parameters" where scanner.peek() == UInt8(ascii: "{"):
                    try scanner.readObject(depth: 1) { scanner, key throws(BadRequest) in
                        if key == "binary_data_output" {
                            binaryDataOutput = try scanner.readBoolIfAny(depth: 2) ?? false
                        } else {
                            try scanner.skipValue(depth: 2)
                        }
                    }
                default:
                    try scanner.skipValue(depth: 1)
                }
            }
            try scanner.expectEnd()
            guard let headers, !headers.isEmpty else { throw BadRequest("the \(list.subject) has no \(list.rawValue)") }
            var offset = headerEnd
            for entry in headers {
                tensors.append(try entry.tensor(header: scanner, body: body, binaryOffset: &offset, list: list))
            }
        }
    }
}

/// One tensor of a message: its name, datatype, shape, values (row-major) and the class
/// list its `parameters` give (an answer's `predict_proba`).
package struct DecodedTensor {
    package var name: String
    package var datatype: TensorDatatype
    package var shape: [Int]
    package var values: TensorValues
    package var classes: [String]?
}

/// One output a request asks for: its name (nil when it gave none) and whether as binary.
package struct RequestedOutput {
    /// The output's name (nil when the request gave none, which the server refuses).
    package var name: String?
    /// `parameters.binary_data` (nil: as `binary_data_output` says).
    package var binaryData: Bool?

    /// The top-level `outputs` (the scanner at its value); nil when it is no list or empty.
    static func list(_ scanner: inout JSONScanner) throws(BadRequest) -> [RequestedOutput]? {
        guard scanner.peek() == UInt8(ascii: "[") else {
            try scanner.skipValue(depth: 1)
            return nil
        }
        var outputs: [RequestedOutput] = []
        try scanner.readArray(depth: 1) { scanner throws(BadRequest) in
            var output = RequestedOutput()
            guard scanner.peek() == UInt8(ascii: "{") else {
                try scanner.skipValue(depth: 2)
                return outputs.append(output)
            }
            try scanner.readObject(depth: 2) { scanner, key throws(BadRequest) in
                switch key {
                case "name": output.name = try scanner.readStringIfAny(depth: 3)
                case "parameters" where scanner.peek() == UInt8(ascii: "{"):
                    try scanner.readObject(depth: 3) { scanner, key throws(BadRequest) in
                        if key == "binary_data" { output.binaryData = try scanner.readBoolIfAny(depth: 4) } else { try scanner.skipValue(depth: 4) }
                    }
                default: try scanner.skipValue(depth: 3)
                }
            }
            outputs.append(output)
        }
        return outputs.isEmpty ? nil : outputs
    }
}
