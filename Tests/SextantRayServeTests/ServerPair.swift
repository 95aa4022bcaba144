import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantRayServe
import SextantTestSupport
import Testing

/// The Python of a venv with `ray[serve]` 2.60 (which brings uvicorn): SEXTANT_RAY_PYTHON.
let rayPython = ProcessInfo.processInfo.environment["SEXTANT_RAY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
let rayPythonMissing: Comment = "SEXTANT_RAY_PYTHON is not set: the Python of a venv with ray[serve] 2.60 (e.g. /tmp/ray-venv/bin/python)"

/// One answer, as received.
struct Answer {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// `sextant serve-model` and the Ray Serve deployment's ASGI app (under uvicorn, outside
/// Ray, from the package as the binary embeds it) on the same model, name and version:
/// every request goes to both, and their answers must agree.
struct ServerPair {
    let reference: BackgroundProcess
    let python: BackgroundProcess
    let referenceBase: String
    let pythonBase: String

    static func start(python executable: String, model: String, name: String, version: String, work: TemporaryDirectory) async throws -> ServerPair {
        let referencePort = try freePort(), pythonPort = try freePort()
        let reference = try BackgroundProcess(sextantBinary, ["serve-model", "--artifact", model, "--port", "\(referencePort)"],
                                              logPath: work.path + "/serve-model-\(name).log",
                                              environment: ["PATH": "/usr/bin:/bin", "SEXTANT_MODEL_NAME": name, "SEXTANT_MODEL_VERSION": version])
        let packageDirectory = work.path + "/package"
        try RayServePackage.write(into: URL(fileURLWithPath: packageDirectory))
        // As Ray runs it: the model under the working directory, named by a relative SEXTANT_MODEL_DIR.
        let directory = URL(fileURLWithPath: model).deletingLastPathComponent().path
        let python = try BackgroundProcess(executable, [
            "-m", "uvicorn", "--factory", "sextant_serve.asgi:create_app", "--host", "127.0.0.1", "--port", "\(pythonPort)",
            // uvicorn closes a connection idle for 5 s by default: a request the client sends on
            // its pooled connection just then fails (a loaded machine makes such gaps), so idle
            // connections stay open for the test's length.
            "--log-level", "warning", "--timeout-keep-alive", "600",
        ], in: directory, logPath: work.path + "/sextant-serve-\(name).log", environment: [
            "PATH": "/usr/bin:/bin", "PYTHONPATH": packageDirectory, "PYTHONDONTWRITEBYTECODE": "1",
            "SEXTANT_MODEL_DIR": URL(fileURLWithPath: model).lastPathComponent, "SEXTANT_MODEL_NAME": name, "SEXTANT_MODEL_VERSION": version,
        ])
        let pair = ServerPair(reference: reference, python: python, referenceBase: "http://127.0.0.1:\(referencePort)",
                              pythonBase: "http://127.0.0.1:\(pythonPort)")
        for (base, server) in [(pair.referenceBase, reference), (pair.pythonBase, python)] {
            let ready = try await eventually(timeout: .seconds(30)) { (try? await Self.send(base, .GET, "/v2/health/ready").status) == 200 }
            #expect(ready, "\(base) did not become ready: \(server.log)")
        }
        return pair
    }

    static func send(_ base: String, _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// Sends the request to both servers and expects the same status and answer: JSON equal
    /// but for numbers (within 1e-12), binary parts equal (FP64 values within 1e-12), and
    /// for errors the same message unless `sameMessage` is false (JSON syntax errors are
    /// worded by each parser).
    @discardableResult
    func expectSameAnswer(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
                          sameMessage: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Answer {
        let expected = try await Self.send(referenceBase, method, path, body: body, headers: headers)
        let actual = try await Self.send(pythonBase, method, path, body: body, headers: headers)
        let what = "\(method) \(path) \(body.map { String(decoding: $0.prefix(300), as: UTF8.self) } ?? "")"
        #expect(actual.status == expected.status, "\(what): \(actual.status) \(actual.text) against serve-model's \(expected.status) \(expected.text)",
                sourceLocation: sourceLocation)
        if let split = Self.split(expected), let other = Self.split(actual) {
            #expect(Self.difference(split, other) == nil, "\(what): \(Self.difference(split, other) ?? "")", sourceLocation: sourceLocation)
        } else if expected.body.isEmpty {
            #expect(actual.body.isEmpty, "\(what): \(actual.text)", sourceLocation: sourceLocation)
        } else if let reference = JSONValue.parse(expected.body), let answer = JSONValue.parse(actual.body) {
            if expected.status != 200, !sameMessage {
                #expect(answer["error"] != nil, "\(what): \(actual.text)", sourceLocation: sourceLocation)
            } else {
                let difference = answer.difference(from: reference)
                #expect(difference == nil, "\(what): \(difference ?? "") in \(actual.text) against \(expected.text)", sourceLocation: sourceLocation)
            }
        } else {
            Issue.record("\(what): not JSON: \(actual.text) against \(expected.text)", sourceLocation: sourceLocation)
        }
        return expected
    }

    /// An answer in the binary tensor data extension: its JSON header and binary part.
    private static func split(_ answer: Answer) -> (header: JSONValue, binary: [UInt8])? {
        guard let field = answer.headers.first(name: "Inference-Header-Content-Length"), let length = Int(field),
              length <= answer.body.count, let header = JSONValue.parse(Array(answer.body[..<length])) else { return nil }
        return (header, Array(answer.body[length...]))
    }

    private static func difference(_ expected: (header: JSONValue, binary: [UInt8]), _ actual: (header: JSONValue, binary: [UInt8])) -> String? {
        if let difference = actual.header.difference(from: expected.header) { return "header: \(difference)" }
        guard expected.binary.count == actual.binary.count else { return "binary part: \(actual.binary.count) bytes against \(expected.binary.count)" }
        guard case .array(let outputs)? = expected.header["outputs"] else { return nil }
        var offset = 0
        for output in outputs {
            guard case .number(let size)? = output["parameters"]?["binary_data_size"] else { continue }
            let range = offset..<(offset + Int(size))
            offset += Int(size)
            if output["datatype"] == .string("FP64") {
                let a = doubles(expected.binary[range]), b = doubles(actual.binary[range])
                if let index = a.indices.first(where: { abs(a[$0] - b[$0]) > 1e-12 * max(1, abs(a[$0])) }) {
                    return "binary \(output["name"]!) element \(index): \(b[index]) against \(a[index])"
                }
            } else if expected.binary[range] != actual.binary[range] {
                return "binary \(output["name"]!) differs"
            }
        }
        return nil
    }

    private static func doubles(_ bytes: ArraySlice<UInt8>) -> [Double] {
        stride(from: bytes.startIndex, to: bytes.endIndex, by: 8).map { start in
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[start + index]) << (8 * index) }
            return Double(bitPattern: bits)
        }
    }

    func stop() async {
        await reference.stop()
        await python.stop()
    }
}
