/// An OIP v2 infer request, read and checked: the JSON header (all of the body, or the
/// first `Inference-Header-Content-Length` bytes of it), and every input's values — from
/// `data`, or from the binary part that follows the header, in input order.
///
/// Every number the request carries is checked before it is used (see `InferenceMessage`).
/// What does not hold is a `BadRequest` naming the input.
package struct InferenceRequest {
    /// The top-level `id`, when it is a string: the answer repeats it.
    package var id: String?
    /// `parameters.binary_data_output`: every output in binary unless it says otherwise.
    package var binaryDataOutput: Bool
    /// The outputs asked for (nil when the request lists none).
    package var requestedOutputs: [RequestedOutput]?
    /// Every input in the order the request lists them.
    package var inputs: [DecodedTensor]
    /// Every input's values, by name.
    package var tensors: [String: TensorValues]

    package init(_ body: [UInt8], headerLength field: String?) throws(BadRequest) {
        let message = try InferenceMessage(body, headerLength: field, list: .inputs)
        id = message.id
        binaryDataOutput = message.binaryDataOutput
        requestedOutputs = message.requestedOutputs
        inputs = message.tensors
        tensors = [:]
        for input in inputs {
            guard tensors.updateValue(input.values, forKey: input.name) == nil else { throw BadRequest("input \(input.name) is given twice") }
        }
    }
}
