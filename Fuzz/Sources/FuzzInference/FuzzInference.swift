import NIOCore
import NIOEmbedded
import SextantML
import SextantServing

// Bytes → `POST /v2/models/m/infer` on the built-in model server (`sextant serve-model`),
// through its HTTP/1.1 handlers (`ModelServer.serveHTTP`) on an `EmbeddedChannel`: the JSON
// request and the binary tensor data extension.
//
// The input's first line is the `Inference-Header-Content-Length` field's value (an empty
// line: no such field; one with bytes a field cannot carry: none either), the rest is the
// body. So `29\n{"inputs":[…]}<binary>` frames binary tensors, and a corpus file reads like
// the request it is.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let body = newline < bytes.endIndex ? bytes[(newline + 1)...] : []
    var request = ByteBuffer(string: "POST /v2/models/m/infer HTTP/1.1\r\nHost: fuzz\r\nContent-Length: \(body.count)\r\n")
    let headerLength = bytes[..<newline]
    if !headerLength.isEmpty, headerLength.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) {
        request.writeString("Inference-Header-Content-Length: ")
        request.writeBytes(headerLength)
        request.writeString("\r\n")
    }
    request.writeString("\r\n")
    request.writeBytes(body)
    InferenceTarget.respond(to: request)
    return 0
}

/// The server under test and how one request is run through it.
enum InferenceTarget {
    /// The model of `ModelServerTests`: a numeric and a categorical feature, a boolean
    /// target, so both `predict` and `predict_proba` answer.
    static let server = {
        let rows = (0..<40).map { "\(Double($0) / 4),\($0 % 2 == 0 ? "eu" : "us"),\($0 >= 20)" }
        let table = try! CSVTable(Array(("x,region,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let features = [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "region", type: .string)]
        let model = try! ModelTrainer.train(table, TrainingSpec(trainer: .logisticRegression, target: "y", targetType: .boolean,
                                                                features: features, trainRows: Array(0..<40)))
        return ModelServer(name: "m", version: "7", model: model)
    }()

    /// Runs the request to its answer on a connection of its own (a trap in the handler
    /// ends the process, with the input saved).
    static func respond(to request: ByteBuffer) {
        let channel = EmbeddedChannel()
        try! server.serveHTTP(on: channel)
        try! channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        _ = try? channel.writeInbound(request)
        channel.embeddedEventLoop.run()
        while (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil != nil {}
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}
