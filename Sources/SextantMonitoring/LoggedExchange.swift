/// One request and its answer as the prediction log keeps them: the bytes exactly as they
/// went through the gateway, with what says how to read them.
package struct LoggedExchange: Sendable {
    /// The answer's HTTP status; only a 200 answer carries predictions.
    package var status: Int
    package var request: Body
    package var answer: Body

    /// A message body: JSON alone, or with the binary tensor data extension a JSON header of
    /// `headerLength` bytes followed by the binary tensors.
    package struct Body: Sendable {
        package var bytes: [UInt8]
        package var contentType: String?
        /// `Inference-Header-Content-Length`; nil when the body is all JSON.
        package var headerLength: Int?

        package init(bytes: [UInt8], contentType: String? = "application/json", headerLength: Int? = nil) {
            self.bytes = bytes
            self.contentType = contentType
            self.headerLength = headerLength
        }
    }

    package init(status: Int = 200, request: Body, answer: Body) {
        self.status = status
        self.request = request
        self.answer = answer
    }
}
