import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantTestSupport

/// `sextant train --output` then `sextant serve-model`, as built; tritonclient when CI
/// provides it (SEXTANT_TRITONCLIENT_PYTHON: a Python with tritonclient[http] and numpy).
@Suite(.serialized) struct ServeModelEndToEndTests {
    @Test("a trained model serves OIP v2: metadata, JSON inference, tritonclient with its defaults; SIGTERM exits 0")
    func serve() async throws {
        let work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", packageRoot + "/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
            "--features", "amount,hour,merchant_risk,account_age_days,region", "--seed", "42", "--output", work.path + "/model",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let port = try freePort()
        let server = try BackgroundProcess(sextantBinary, ["serve-model", "--artifact", work.path + "/model", "--port", "\(port)"],
                                           logPath: work.path + "/serve.log",
                                           environment: ["PATH": "/usr/bin:/bin", "SEXTANT_MODEL_NAME": "fraud", "SEXTANT_MODEL_VERSION": "8"])
        let base = "http://127.0.0.1:\(port)"
        func get(_ path: String) async throws -> (Int, String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + path), timeout: .seconds(5))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        #expect(try await eventually { (try? await get("/v2/health/ready").0) == 200 }, "\(server.log)")
        let (status, metadata) = try await get("/v2/models/fraud")
        #expect(status == 200)
        #expect(metadata.contains(#""versions":["8"]"#))

        var request = HTTPClientRequest(url: base + "/v2/models/fraud/infer")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: """
            {"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[20]},{"name":"hour","datatype":"INT64","shape":[1],"data":[14]},
            {"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.2]},{"name":"account_age_days","datatype":"INT64","shape":[1],"data":[900]},
            {"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}
            """))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(response.status.code == 200, "\(body)")
        #expect(body.contains(#""model_version":"8""#))
        #expect(body.contains(#""data":[false]"#), "a small, daytime, low-risk payment from an old account is not fraud: \(body)")

        if let python = ProcessInfo.processInfo.environment["SEXTANT_TRITONCLIENT_PYTHON"] {
            let checked = try await runProcess(python, [packageRoot + "/scripts/check-tritonclient.py", "127.0.0.1:\(port)", "fraud"])
            #expect(checked.status == 0, "tritonclient: \(checked.stdout)\(checked.stderr)")
            #expect(checked.stdout.contains("tritonclient: all checks passed"))
        }
        #expect(await server.stop(SIGTERM) == 0)
    }
}
