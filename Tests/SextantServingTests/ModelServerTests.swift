import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import SextantML
@testable import SextantServing

@Suite struct ModelServerTests {
    /// A small model with a numeric and a categorical feature.
    static func server() throws -> ModelServer {
        let rows = (0..<40).map { "\(Double($0) / 4),\($0 % 2 == 0 ? "eu" : "us"),\($0 >= 20)" }
        let table = try CSVTable(Array(("x,region,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let features = [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "region", type: .string)]
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: .logisticRegression, target: "y", targetType: .boolean,
                                                               features: features, trainRows: Array(0..<40)))
        return ModelServer(name: "m", version: "7", model: model)
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
    }

    @Test("health, metadata with classes, 404 for another model or version")
    func metadata() async throws {
        let server = try Self.server()
        let app = Application(router: server.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/models/m", method: .get) { response in
                let body = try Self.json(response.body)
                #expect(body["versions"] as? [String] == ["7"])
                let outputs = body["outputs"] as! [[String: Any]]
                #expect(outputs.map { $0["name"] as! String } == ["predict", "predict_proba"])
                #expect((outputs[1]["parameters"] as! [String: Any])["classes"] as? [String] == ["false", "true"])
                #expect((body["inputs"] as! [[String: Any]]).map { $0["datatype"] as! String } == ["FP64", "BYTES"])
            }
            try await client.execute(uri: "/v2/models/other/ready", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error":"unknown model other; this server serves m"}"#)
            }
            try await client.execute(uri: "/v2/models/m/versions/6/ready", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v2/models/m/versions/7/ready", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("JSON inference: the tabular convention, nulls, predict by default and predict_proba on request")
    func jsonInference() async throws {
        let server = try Self.server()
        let app = Application(router: server.router())
        let request = #"{"id":"a","parameters":{"content_type":"pd"},"inputs":[{"name":"x","datatype":"FP64","shape":[3],"data":[0,9.5,null]},{"name":"region","datatype":"BYTES","shape":[3],"data":["eu","us","mars"]}]}"#
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/models/m/infer", method: .post, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                #expect(body["model_version"] as? String == "7")
                #expect(body["id"] as? String == "a")
                let outputs = body["outputs"] as! [[String: Any]]
                #expect(outputs.count == 1)
                #expect(outputs[0]["name"] as? String == "predict")
                #expect(outputs[0]["datatype"] as? String == "BOOL")
                // A null is imputed with the training mean, exactly as the model file says.
                let imputed = server.model.predict([[.missing, .text("mars")]]).labels[0] == "true"
                #expect(outputs[0]["data"] as? [Bool] == [false, true, imputed])
            }
            let withProba = request.replacingOccurrences(of: #""id":"a","#, with: #""outputs":[{"name":"predict_proba"}],"#)
            try await client.execute(uri: "/v2/models/m/infer", method: .post, body: ByteBuffer(string: withProba)) { response in
                let output = (try Self.json(response.body)["outputs"] as! [[String: Any]])[0]
                #expect(output["shape"] as? [Int] == [3, 2])
                let probabilities = output["data"] as! [Double]
                #expect(abs(probabilities[0] + probabilities[1] - 1) < 1e-12)
            }
        }
    }

    @Test("bad requests are 400 with an error that says what to fix")
    func badRequests() async throws {
        let server = try Self.server()
        let app = Application(router: server.router())
        let cases: [(String, String)] = [
            ("{", "the request is not JSON"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}"#, "missing input region; the model's inputs are x, region"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]},{"name":"z","datatype":"FP64","shape":[1],"data":[1]}]}"#, "unknown input z"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[2],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#, "input x: shape [2] does not hold 1 values"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":["one"]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#, "input x: FP64 data must be numbers"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}],"outputs":[{"name":"shap"}]}"#, "unknown output shap"),
        ]
        try await app.test(.router) { client in
            for (body, message) in cases {
                try await client.execute(uri: "/v2/models/m/infer", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
                }
            }
        }
    }

    @Test("binary tensor data extension: inputs after the JSON header, outputs back in binary")
    func binary() async throws {
        let server = try Self.server()
        let app = Application(router: server.router())
        var payload: [UInt8] = []
        for value in [0.0, 9.5, Double.nan] { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload += $0 } }
        let xBytes = payload.count
        for text in ["eu", "us", "eu"] {
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { payload += $0 }
            payload += Array(text.utf8)
        }
        let header = """
            {"inputs":[{"name":"x","datatype":"FP64","shape":[3],"parameters":{"binary_data_size":\(xBytes)}},\
            {"name":"region","datatype":"BYTES","shape":[3],"parameters":{"binary_data_size":\(payload.count - xBytes)}}],\
            "outputs":[{"name":"predict","parameters":{"binary_data":true}},{"name":"predict_proba","parameters":{"binary_data":false}}]}
            """
        var fields = HTTPFields()
        fields[HTTPField.Name("Inference-Header-Content-Length")!] = String(header.utf8.count)
        let headers = fields
        let body = ByteBuffer(bytes: Array(header.utf8) + payload)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/models/m/infer", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                let length = try #require(response.headers[HTTPField.Name("Inference-Header-Content-Length")!].flatMap(Int.init))
                let bytes = Array(response.body.readableBytesView)
                let json = try JSONSerialization.jsonObject(with: Data(bytes[..<length])) as! [String: Any]
                let outputs = json["outputs"] as! [[String: Any]]
                #expect((outputs[0]["parameters"] as! [String: Any])["binary_data_size"] as? Int == 3)
                let imputed: UInt8 = server.model.predict([[.missing, .text("eu")]]).labels[0] == "true" ? 1 : 0
                #expect(Array(bytes[length...]) == [0, 1, imputed], "BOOL labels, one byte each; NaN is a missing value")
                #expect((outputs[1]["data"] as! [Double]).count == 6)
            }
        }
    }
}
