import Foundation
import HTTPTypes
public import Hummingbird
package import Logging
import NIOCore
import NIOPosix
import SextantInference
public import SextantHTTP
public import SextantML

/// The built-in Open Inference Protocol v2 server (DESIGN §5) for a built-in model: health,
/// metadata (with `parameters.classes`), inference in JSON or with the binary tensor data
/// extension, the tabular convention (one input per feature column, `shape [N]`, a missing
/// value as `null` or NaN), and `{"error"}` with 400 or 404.
public struct ModelServer: Sendable {
    package let name: String
    package let version: String
    package let model: TrainedModel

    public init(name: String, version: String, model: TrainedModel) {
        self.name = name
        self.version = version
        self.model = model
    }

    /// The server on `host:port`, refusing what `limits` refuse (413, 408, 400; see
    /// `HTTPLimits`) before Hummingbird sees it.
    package func application(host: String, port: Int, limits: HTTPLimits = HTTPLimits(), logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let group = MultiThreadedEventLoopGroup.singleton
        return Application(router: router(maxRequestBytes: limits.maxRequestBytes), server: .limitedHTTP1(RequestLimits(limits, group: group)),
                           configuration: .init(address: .hostname(host, port: port), serverName: "sextant-serve-model"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
                           eventLoopGroupProvider: .shared(group), logger: logger)
    }

    /// - Parameter maxRequestBytes: the largest body `infer` collects (the limits' handler
    ///   refuses larger ones first; without it, as in `.router` tests, this answers 413).
    public func router(maxRequestBytes: Int = HTTPLimits.defaultMaxRequestBytes) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("v2/health/live") { _, _ in Response(status: .ok) }
        router.get("v2/health/ready") { _, _ in Response(status: .ok) }
        router.get("v2") { _, _ in
            Self.json(ServerMetadata(name: "sextant", version: "1", extensions: ["binary_tensor_data"]))
        }
        for prefix in ["v2/models/:model", "v2/models/:model/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                if let error = check(context) { return error }
                return Self.json(metadata)
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in check(context) ?? Response(status: .ok) }
            router.post(RouterPath(prefix + "/infer")) { request, context in
                if let error = check(context) { return error }
                let body = try await request.body.collect(upTo: maxRequestBytes)
                let headerLength = request.headers[Self.headerLengthField]
                do throws(BadRequest) {
                    let answer = try infer(Array(body.readableBytesView), headerLength: headerLength)
                    guard let binary = answer.binary else {
                        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer.json)))
                    }
                    var headers: HTTPFields = [.contentType: "application/octet-stream"]
                    headers[Self.headerLengthField] = String(answer.json.count)
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.json + binary)))
                } catch {
                    return Self.error(error.message, status: .badRequest)
                }
            }
        }
        return router
    }

    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    /// 404 for another model or version.
    private func check(_ context: BasicRequestContext) -> Response? {
        let requested = context.parameters.get("model") ?? ""
        guard requested == name else { return Self.error("unknown model \(requested); this server serves \(name)", status: .notFound) }
        if let wanted = context.parameters.get("version"), wanted != version {
            return Self.error("unknown version \(wanted) of \(name); this server serves version \(version)", status: .notFound)
        }
        return nil
    }

    // MARK: - Metadata

    struct ServerMetadata: Encodable {
        var name: String
        var version: String
        var extensions: [String]
    }

    struct TensorMetadata: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
        var parameters: [String: [String]]?
    }

    struct ModelMetadata: Encodable {
        var name: String
        var versions: [String]
        var platform: String
        var inputs: [TensorMetadata]
        var outputs: [TensorMetadata]
        var parameters: [String: String]
    }

    var metadata: ModelMetadata {
        let inputs = model.preprocessing.features.map {
            TensorMetadata(name: $0.name, datatype: $0.kind == .numeric ? "FP64" : "BYTES", shape: [-1], parameters: nil)
        }
        var outputs = [TensorMetadata(name: "predict", datatype: labelType, shape: [-1], parameters: model.classes.map { ["classes": $0] })]
        if let classes = model.classes {
            outputs.append(TensorMetadata(name: "predict_proba", datatype: "FP64", shape: [-1, classes.count], parameters: ["classes": classes]))
        }
        return ModelMetadata(name: name, versions: [version], platform: "sextant-\(model.trainer.rawValue)", inputs: inputs, outputs: outputs,
                             parameters: ["content_type": "pd"])
    }

    /// The datatype of `predict`: the target's (booleans, integers, text) or FP64.
    var labelType: String {
        guard let classes = model.classes else { return "FP64" }
        if classes.allSatisfy({ $0 == "true" || $0 == "false" }) { return "BOOL" }
        if classes.allSatisfy({ Int64($0) != nil }) { return "INT64" }
        return "BYTES"
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try! JSONEncoder().encode(value))))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        json(["error": message], status: status)
    }
}
