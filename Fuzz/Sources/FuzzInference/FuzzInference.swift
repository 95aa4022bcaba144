import Dispatch
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import SextantML
import SextantServing

// Bytes → `POST /v2/models/m/infer` on the built-in model server (`sextant serve-model`),
// through its public router: the JSON request and the binary tensor data extension.
//
// The input's first line is the `Inference-Header-Content-Length` field's value (an empty
// line: no such field), the rest is the body. So `29\n{"inputs":[…]}<binary>` frames
// binary tensors, and a corpus file reads like the request it is.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    var fields = HTTPFields()
    if newline > 0 {
        fields[InferenceTarget.headerLengthField] = String(decoding: bytes[..<newline], as: UTF8.self)
    }
    let body = newline < bytes.endIndex ? bytes[(newline + 1)...] : []
    let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/v2/models/m/infer", headerFields: fields),
                          body: RequestBody(buffer: ByteBuffer(bytes: body)))
    InferenceTarget.respond(to: request)
    return 0
}

/// The server under test and how one request is run through it.
enum InferenceTarget {
    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!
    static let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
    static let channel = NIOAsyncTestingChannel()

    /// The model of `ModelServerTests`: a numeric and a categorical feature, a boolean
    /// target, so both `predict` and `predict_proba` answer.
    static let responder = {
        let rows = (0..<40).map { "\(Double($0) / 4),\($0 % 2 == 0 ? "eu" : "us"),\($0 >= 20)" }
        let table = try! CSVTable(Array(("x,region,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let features = [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "region", type: .string)]
        let model = try! ModelTrainer.train(table, TrainingSpec(trainer: .logisticRegression, target: "y", targetType: .boolean,
                                                                features: features, trainRows: Array(0..<40)))
        return ModelServer(name: "m", version: "7", model: model).router().buildResponder()
    }()

    /// Runs the request to its answer; libFuzzer's thread waits (a trap in the handler
    /// ends the process, with the input saved).
    static func respond(to request: Request) {
        let done = DispatchSemaphore(value: 0)
        Task {
            let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            _ = try? await responder.respond(to: request, context: context)
            done.signal()
        }
        done.wait()
    }
}
