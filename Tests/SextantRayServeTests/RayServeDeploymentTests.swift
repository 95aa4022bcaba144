import Foundation
import NIOHTTP1
import SextantRayServe
import SextantTestSupport
import Testing

/// The Ray Serve deployment of a built-in model (runtimes/ray/sextant_serve) against
/// `sextant serve-model` on the same trained model: the same requests to both — every
/// row of the data in batches, nulls, unseen categories, nested data, the binary
/// extension, bad requests — get the same statuses and the same answers to 1e-12.
/// The deployment runs as its ASGI app under uvicorn, outside Ray (the package as the
/// binary embeds it); runtimes/ray/README.md records the run through a real Ray Serve.
@Suite(.serialized, .enabled(if: rayPython != nil, rayPythonMissing))
struct RayServeDeploymentTests {
    @Test("the quickstart fraud model (logistic regression, BOOL labels) answers as serve-model does")
    func quickstart() async throws {
        let data = packageRoot + "/examples/quickstart/data/transactions.csv"
        let features = [TabularFeature("amount", "FP64"), TabularFeature("hour", "INT64"), TabularFeature("merchant_risk", "FP64"),
                        TabularFeature("account_age_days", "INT64"), TabularFeature("region", "BYTES")]
        try await compare(data: data, target: "is_fraud", trainer: "logistic-regression", features: features, classifier: true)
    }

    @Test("a softmax model with text labels, a string feature and missing values answers as serve-model does")
    func multiclassTextLabels() async throws {
        let work = try TemporaryDirectory()
        let data = try work.write("items.csv", SyntheticItems.csv())
        try await compare(data: data, target: "grade", trainer: "softmax-regression", features: SyntheticItems.features, classifier: true)
    }

    @Test("a softmax model with integer labels (INT64 predict) answers as serve-model does")
    func multiclassIntegerLabels() async throws {
        let work = try TemporaryDirectory()
        let data = try work.write("items.csv", SyntheticItems.csv())
        try await compare(data: data, target: "tier", trainer: "softmax-regression", features: SyntheticItems.features, classifier: true)
    }

    @Test("a linear regression with a string feature and missing values answers as serve-model does")
    func regression() async throws {
        let work = try TemporaryDirectory()
        let data = try work.write("items.csv", SyntheticItems.csv())
        try await compare(data: data, target: "price", trainer: "linear-regression", features: SyntheticItems.features, classifier: false)
    }

    @Test("Ray Serve's route prefix is taken off the path (kept in it, named in root_path), and a path without it routes too")
    func routePrefix() async throws {
        let work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", packageRoot + "/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
            "--features", "amount,region", "--output", work.path + "/model",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let package = URL(fileURLWithPath: work.path + "/package")
        try RayServePackage.write(into: package)
        let check = try await runProcess(rayPython!, ["-c", Self.routePrefixCheck], in: work.path, environment: [
            "PATH": "/usr/bin:/bin", "PYTHONPATH": package.path, "PYTHONDONTWRITEBYTECODE": "1",
            "SEXTANT_MODEL_DIR": "model", "SEXTANT_MODEL_NAME": "fraud", "SEXTANT_MODEL_VERSION": "4",
        ])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("route prefix: all checks passed"), "\(check.stdout)\(check.stderr)")
    }

    /// Drives the ASGI app with the scopes Ray Serve's proxy makes (path with the prefix,
    /// `root_path` the prefix) and the plain ones uvicorn makes.
    private static let routePrefixCheck = #"""
        import asyncio, json
        from sextant_serve.asgi import create_app

        app = create_app()

        async def call(method, path, root_path="", body=b""):
            sent = []
            async def receive():
                return {"type": "http.request", "body": body, "more_body": False}
            async def send(message):
                sent.append(message)
            await app({"type": "http", "method": method, "path": path, "root_path": root_path,
                       "query_string": b"", "headers": []}, receive, send)
            return sent[0]["status"], sent[1]["body"]

        body = json.dumps({"inputs": [{"name": "amount", "datatype": "FP64", "shape": [1], "data": [20]},
                                      {"name": "region", "datatype": "BYTES", "shape": [1], "data": ["eu"]}]}).encode()
        for path, root in [("/fraud/r4/v2/models/fraud/infer", "/fraud/r4"), ("/v2/models/fraud/infer", "/fraud/r4"),
                           ("/v2/models/fraud/infer", "")]:
            status, answer = asyncio.run(call("POST", path, root, body))
            assert status == 200, (path, root, status, answer)
            assert json.loads(answer)["model_version"] == "4", answer
        status, _ = asyncio.run(call("GET", "/fraud/r4/v2/health/ready", "/fraud/r4"))
        assert status == 200
        status, answer = asyncio.run(call("GET", "/fraud/r4/metrics", "/fraud/r4"))
        assert status == 404 and b"no such endpoint GET /metrics" in answer, answer
        print("route prefix: all checks passed")
        """#

    /// Trains `target` with `sextant train`, serves it both ways and sends both the same requests.
    private func compare(data: String, target: String, trainer: String, features: [TabularFeature], classifier: Bool) async throws {
        let work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", data, "--target", target, "--trainer", trainer, "--features", features.map(\.name).joined(separator: ","),
            "--seed", "42", "--output", work.path + "/model",
        ])
        try #require(trained.status == 0, "\(trained.stdout)\(trained.stderr)")
        let name = "m-\(target)", version = "7"
        let pair = try await ServerPair.start(python: rayPython!, model: work.path + "/model", name: name, version: version, work: work)
        let table = try CSVRows(path: data, columns: features.map(\.name))
        let request = TabularRequests(features: features)
        let infer = "/v2/models/\(name)/infer"
        let outputs = (classifier ? ["predict", "predict_proba"] : ["predict"]) + ["explanation", "explanation_base"]

        // Every row, in batches of 400, asking for every output; then without naming one.
        for start in stride(from: 0, to: table.rows.count, by: 400) {
            let batch = Array(table.rows[start..<min(start + 400, table.rows.count)])
            try await pair.expectSameAnswer(.POST, infer, body: request.json(batch, outputs: outputs, id: "batch-\(start)"))
        }
        try await pair.expectSameAnswer(.POST, "/v2/models/\(name)/versions/\(version)/infer", body: request.json(Array(table.rows.prefix(5))))
        // Missing values everywhere, and categories never seen in training.
        try await pair.expectSameAnswer(.POST, infer, body: request.json([features.map { _ in nil }], outputs: outputs))
        let unseen = table.rows.prefix(3).map { row in zip(features, row).map { $0.datatype == "BYTES" ? "never-seen" : $1 } }
        try await pair.expectSameAnswer(.POST, infer, body: request.json(unseen, outputs: outputs))
        // Data nested as [N, 1], integers for every number, enormous values.
        let nested = request.json(Array(table.rows.prefix(4)), outputs: outputs, nested: true)
        try await pair.expectSameAnswer(.POST, infer, body: nested)
        let huge = table.rows.prefix(2).map { row in zip(features, row).map { $0.datatype == "BYTES" ? $1 : "1e308" } }
        try await pair.expectSameAnswer(.POST, infer, body: request.json(huge, outputs: outputs))
        // The binary tensor data extension, both ways.
        let (binary, headerLength) = request.binary(Array(table.rows.prefix(30)), outputs: outputs, binaryOutputs: true)
        try await pair.expectSameAnswer(.POST, infer, body: binary, headers: [("Inference-Header-Content-Length", "\(headerLength)")])
        let (binaryIn, inLength) = request.binary(Array(table.rows.prefix(30)), outputs: outputs, binaryOutputs: false)
        try await pair.expectSameAnswer(.POST, infer, body: binaryIn, headers: [("Inference-Header-Content-Length", "\(inLength)")])
        try await pair.expectSameAnswer(.POST, infer, body: binary, headers: [("Inference-Header-Content-Length", "99999")])

        // Metadata and health.
        for path in ["/v2/health/live", "/v2/health/ready", "/v2", "/v2/models/\(name)", "/v2/models/\(name)/ready",
                     "/v2/models/\(name)/versions/\(version)", "/v2/models/other", "/v2/models/\(name)/versions/99/ready", "/metrics"] {
            try await pair.expectSameAnswer(.GET, path)
        }
        try await pair.expectSameAnswer(.POST, "/v2/models/other/infer", body: request.json(Array(table.rows.prefix(1))))
        try await pair.expectSameAnswer(.GET, infer)

        // Bad requests: the same 400 and, but for JSON syntax, the same message.
        let one = Array(table.rows.prefix(2))
        let first = features[0], text = features.first { $0.datatype == "BYTES" }!
        for body in [
            TabularRequests(features: Array(features.dropLast())).json(one),
            TabularRequests(features: features + [TabularFeature("bogus", "FP64")]).json(one.map { $0 + ["1"] }),
            TabularRequests(features: features.map { $0.name == first.name ? TabularFeature(first.name, "BYTES") : $0 }).json(one),
            TabularRequests(features: features.map { $0.name == text.name ? TabularFeature(text.name, "FP64") : $0 }).json(one.map { row in
                zip(features, row).map { $0.name == text.name ? "1" : $1 } }),
            TabularRequests(features: features.map { $0.name == first.name ? TabularFeature(first.name, "INT8") : $0 }).json(one.map { row in
                ["1000"] + row.dropFirst() }),
            request.json(one.map { row in ["1e400"] + row.dropFirst() }),
            request.json(one.map { row in ["true"] + row.dropFirst() }),
            request.json(one, outputs: ["predict", "nonsense"]),
            request.json(one, outputs: ["predict_proba"]),
            Array(String(decoding: request.json(one), as: UTF8.self).replacingOccurrences(of: "\"shape\":[2]", with: "\"shape\":[3]").utf8),
            Array(String(decoding: request.json(one), as: UTF8.self).replacingOccurrences(of: "\"shape\":[2]", with: "\"shape\":[-1]").utf8),
            Array(#"{"inputs":[]}"#.utf8),
            Array(#"{"inputs":[{"name":"x","shape":[1],"data":[1]}]}"#.utf8),
            Array(#"{"inputs":[{"name":"x","datatype":"FP128","shape":[1],"data":[1]}]}"#.utf8),
            Array(#"{"outputs":[{"parameters":{}}],"inputs":[{"name":"\#(first.name)","datatype":"FP64","shape":[1],"data":[1]}]}"#.utf8),
            Array("[1,2]".utf8),
        ] {
            try await pair.expectSameAnswer(.POST, infer, body: body)
        }
        for body in [Array("{\"inputs\":[".utf8), Array(#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[NaN]}]}"#.utf8), [], [0xFF]] {
            try await pair.expectSameAnswer(.POST, infer, body: body, sameMessage: false)
        }
        await pair.stop()
    }
}

extension RayServeDeploymentTests {
    @Test("a working directory without the model fails at start with one line naming model/model.json")
    func missingModel() async throws {
        let work = try TemporaryDirectory()
        let package = URL(fileURLWithPath: work.path + "/package")
        try RayServePackage.write(into: package)
        let started = try await runProcess(rayPython!, ["-c", "from sextant_serve.asgi import create_app; create_app()"], in: work.path, environment: [
            "PATH": "/usr/bin:/bin", "PYTHONPATH": package.path, "PYTHONDONTWRITEBYTECODE": "1", "SEXTANT_MODEL_DIR": "model",
        ])
        #expect(started.status != 0)
        #expect(started.stderr.contains("model/model.json does not exist; SEXTANT_MODEL_DIR must name a directory holding a built-in model's model.json"),
                "\(started.stderr)")
    }
}
