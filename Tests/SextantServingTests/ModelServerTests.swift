import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantInference
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

    @Test("health, metadata with classes, 404 for another model or version")
    func metadata() async throws {
        let server = try Self.server()
        try await LoopbackModelServer.with(server) { port in
            #expect(try await LoopbackModelServer.send(port: port, "/v2/health/ready").status == .ok)
            let metadata = try await LoopbackModelServer.send(port: port, "/v2/models/m")
            let body = try metadata.json()
            #expect(body["versions"] as? [String] == ["7"])
            let outputs = body["outputs"] as! [[String: Any]]
            #expect(outputs.map { $0["name"] as! String } == ["predict", "predict_proba", "explanation", "explanation_base"])
            #expect((outputs[1]["parameters"] as! [String: Any])["classes"] as? [String] == ["false", "true"])
            #expect((body["inputs"] as! [[String: Any]]).map { $0["datatype"] as! String } == ["FP64", "BYTES"])
            let other = try await LoopbackModelServer.send(port: port, "/v2/models/other/ready")
            #expect(other.status == .notFound)
            #expect(other.text == #"{"error":"unknown model other; this server serves m"}"#)
            #expect(try await LoopbackModelServer.send(port: port, "/v2/models/m/versions/6/ready").status == .notFound)
            #expect(try await LoopbackModelServer.send(port: port, "/v2/models/m/versions/7/ready").status == .ok)
        }
    }

    @Test("JSON inference: the tabular convention, nulls, predict by default and predict_proba on request")
    func jsonInference() async throws {
        let server = try Self.server()
        let request = #"{"id":"a","parameters":{"content_type":"pd"},"inputs":[{"name":"x","datatype":"FP64","shape":[3],"data":[0,9.5,null]},{"name":"region","datatype":"BYTES","shape":[3],"data":["eu","us","mars"]}]}"#
        try await LoopbackModelServer.with(server) { port in
            let response = try await LoopbackModelServer.infer(port: port, request)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["model_version"] as? String == "7")
            #expect(body["id"] as? String == "a")
            let outputs = body["outputs"] as! [[String: Any]]
            #expect(outputs.count == 1)
            #expect(outputs[0]["name"] as? String == "predict")
            #expect(outputs[0]["datatype"] as? String == "BOOL")
            // A null is imputed with the training mean, exactly as the model file says.
            let imputed = server.model.predict([[.missing, .text("mars")]]).labels[0] == "true"
            #expect(outputs[0]["data"] as? [Bool] == [false, true, imputed])

            let withProba = request.replacingOccurrences(of: #""id":"a","#, with: #""outputs":[{"name":"predict_proba"}],"#)
            let output = (try await LoopbackModelServer.infer(port: port, withProba).json()["outputs"] as! [[String: Any]])[0]
            #expect(output["shape"] as? [Int] == [3, 2])
            let probabilities = output["data"] as! [Double]
            #expect(abs(probabilities[0] + probabilities[1] - 1) < 1e-12)
        }
    }

    @Test("bad requests are 400 with an error that says what to fix")
    func badRequests() async throws {
        let server = try Self.server()
        let cases: [(String, String)] = [
            ("{", "the request is not JSON"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}"#, "missing input region; the model's inputs are x, region"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]},{"name":"z","datatype":"FP64","shape":[1],"data":[1]}]}"#, "unknown input z"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[2],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#, "input x: shape [2] holds 2 values, but 1 were sent"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":["one"]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#, "input x: element 0 of FP64 data is not a number"),
            (#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}],"outputs":[{"name":"shap"}]}"#, "unknown output shap"),
        ]
        try await LoopbackModelServer.with(server) { port in
            for (body, message) in cases {
                let response = try await LoopbackModelServer.infer(port: port, body)
                #expect(response.status == .badRequest)
                #expect(response.text.contains(message), "\(response.text)")
            }
        }
    }

    @Test("binary tensor data extension: inputs after the JSON header, outputs back in binary")
    func binary() async throws {
        let server = try Self.server()
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
        let body = ByteBuffer(bytes: Array(header.utf8) + payload)
        try await LoopbackModelServer.with(server) { port in
            let response = try await LoopbackModelServer.send(port: port, "/v2/models/m/infer", method: .POST, body: body,
                                                              headers: [("Inference-Header-Content-Length", String(header.utf8.count))])
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "application/octet-stream")
            let length = try #require(response.headers.first(name: "Inference-Header-Content-Length").flatMap(Int.init))
            let bytes = Array(response.body.readableBytesView)
            let json = try JSONSerialization.jsonObject(with: Data(bytes[..<length])) as! [String: Any]
            let outputs = json["outputs"] as! [[String: Any]]
            #expect((outputs[0]["parameters"] as! [String: Any])["binary_data_size"] as? Int == 3)
            let imputed: UInt8 = server.model.predict([[.missing, .text("eu")]]).labels[0] == "true" ? 1 : 0
            #expect(Array(bytes[length...]) == [0, 1, imputed], "BOOL labels, one byte each; NaN is a missing value")
            #expect((outputs[1]["data"] as! [Double]).count == 6)
        }
    }

    /// Requests a hostile client sends: each must be a 400 that names the input, never a trap.
    static let hostile: [(name: String, body: String, header: String?, message: String)] = {
        let region = #"{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}"#
        func with(_ x: String) -> String { #"{"inputs":["# + x + "," + region + "]}" }
        return [
            ("a shape of 1e300", with(#"{"name":"x","datatype":"FP64","shape":[1e300],"data":[1]}"#), nil,
             "input x: shape [1e+300]: every dimension must be a whole number from 0 to 2147483647"),
            ("a negative shape", with(#"{"name":"x","datatype":"FP64","shape":[-1],"data":[1]}"#), nil, "input x: shape [-1]: every dimension"),
            ("a fractional shape", with(#"{"name":"x","datatype":"FP64","shape":[1.5],"data":[1]}"#), nil, "input x: shape [1.5]: every dimension"),
            ("a shape whose product overflows", with(#"{"name":"x","datatype":"FP64","shape":[2147483647,2147483647,2147483647],"data":[1]}"#), nil,
             "holds more elements than can be counted"),
            ("no shape", with(#"{"name":"x","datatype":"FP64","data":[1]}"#), nil, "input x has no shape"),
            ("a binary_data_size of 1e300", with(#"{"name":"x","datatype":"FP64","shape":[1],"parameters":{"binary_data_size":1e300}}"#), nil,
             "input x: binary_data_size 1e+300 is not a byte count"),
            ("a negative binary_data_size", with(#"{"name":"x","datatype":"FP64","shape":[1],"parameters":{"binary_data_size":-8}}"#), nil,
             "input x: binary_data_size -8 is not a byte count"),
            ("a binary_data_size given as text", with(#"{"name":"x","datatype":"FP64","shape":[1],"parameters":{"binary_data_size":"8"}}"#), nil,
             "input x: binary_data_size \"8\" is not a byte count"),
            ("an Inference-Header-Content-Length of 1e300", with(#"{"name":"x","datatype":"FP64","shape":[1],"data":[1]}"#), "1e300",
             "Inference-Header-Content-Length \"1e300\" is not a byte count"),
            ("an Inference-Header-Content-Length past the body", with(#"{"name":"x","datatype":"FP64","shape":[1],"data":[1]}"#), "99999",
             "Inference-Header-Content-Length \"99999\" is not a byte count within the body"),
            ("text for a numeric feature", with(#"{"name":"x","datatype":"BYTES","shape":[1],"data":["12"]}"#), nil,
             "input x: datatype BYTES, but the model reads x as a number"),
            ("a number for a text feature", #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"INT64","shape":[1],"data":[3]}]}"#, nil,
             "input region: a numeric datatype, but the model reads region as text"),
            ("an INT8 of 100000", with(#"{"name":"x","datatype":"INT8","shape":[1],"data":[100000]}"#), nil,
             "input x: element 0: 100000 is outside INT8's range -128…127"),
            ("a UINT8 of -1", with(#"{"name":"x","datatype":"UINT8","shape":[1],"data":[-1]}"#), nil, "input x: element 0: -1 is outside UINT8's range"),
            ("an INT64 of 1e19", with(#"{"name":"x","datatype":"INT64","shape":[1],"data":[1e19]}"#), nil, "outside INT64's range"),
            ("a fractional INT32", with(#"{"name":"x","datatype":"INT32","shape":[1],"data":[2.5]}"#), nil, "2.5 is not a whole number, as INT32 needs"),
            ("an FP32 beyond its range", with(#"{"name":"x","datatype":"FP32","shape":[1],"data":[1e300]}"#), nil, "outside FP32's range"),
            ("a BOOL of 7", with(#"{"name":"x","datatype":"BOOL","shape":[1],"data":[7]}"#), nil, "input x: element 0: 7 is outside BOOL's range 0…1"),
            ("an unknown datatype", with(#"{"name":"x","datatype":"FP128","shape":[1],"data":[1]}"#), nil, "input x: datatype FP128 is not one of"),
            ("a number as BYTES data", #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":[3]}]}"#, nil,
             "input region: element 0 of BYTES data is not a string"),
        ]
    }()

    @Test("hostile numbers in a request are 400s naming the input", arguments: hostile.indices)
    func hostileRequests(_ index: Int) throws {
        let (name, body, header, message) = Self.hostile[index]
        let server = try Self.server()
        do {
            _ = try server.infer(Array(body.utf8), headerLength: header)
            Issue.record("\(name): answered, expected a 400")
        } catch {
            #expect(error.message.contains(message), "\(name): \(error.message)")
        }
    }

    /// The binary part of a request with one FP64 input `x` and the BYTES input `region`.
    static func binaryRequest(x: [UInt8], xType: String = "FP64", rows: Int = 1) -> (body: [UInt8], header: String) {
        var region: [UInt8] = []
        for _ in 0..<rows { region += [2, 0, 0, 0] + Array("eu".utf8) }
        let header = #"{"inputs":[{"name":"x","datatype":"\#(xType)","shape":[\#(rows)],"parameters":{"binary_data_size":\#(x.count)}},"#
            + #"{"name":"region","datatype":"BYTES","shape":[\#(rows)],"parameters":{"binary_data_size":\#(region.count)}}]}"#
        return (Array(header.utf8) + x + region, String(header.utf8.count))
    }

    @Test("binary values are checked: infinities, BOOL bytes, cut-off BYTES lengths, widths")
    func hostileBinary() throws {
        let server = try Self.server()
        func message(_ request: (body: [UInt8], header: String)) -> String? {
            do {
                _ = try server.infer(request.body, headerLength: request.header)
                return nil
            } catch {
                return error.message
            }
        }
        var infinity: [UInt8] = []
        withUnsafeBytes(of: Double.infinity.bitPattern.littleEndian) { infinity += $0 }
        #expect(message(Self.binaryRequest(x: infinity))?.contains("input x: element 0: inf is not a finite number") == true)
        #expect(message(Self.binaryRequest(x: [7], xType: "BOOL"))?.contains("input x: element 0 of BOOL data is byte 7") == true)
        #expect(message(Self.binaryRequest(x: [1, 2, 3], xType: "FP32"))?.contains("3 bytes is not a whole number of FP32 values") == true)
        var nan: [UInt8] = []
        withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { nan += $0 }
        #expect(message(Self.binaryRequest(x: nan)) == nil, "NaN is a missing value")
        // A BYTES element whose length runs past the body.
        let header = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":6}}]}"#
        let cut = message((Array(header.utf8) + [255, 255, 255, 127, 65, 66], String(header.utf8.count)))
        #expect(cut?.contains("input region: element 0 of BYTES data says 2147483647 bytes, but only 2 are left") == true, "\(cut ?? "answered")")
        // FP16 values decode (1.5 is 0x3E00).
        #expect(message(Self.binaryRequest(x: [0x00, 0x3E], xType: "FP16")) == nil)
    }

    @Test("an answer that is not a finite number is a 400, not a trap in the JSON encoder")
    func nonFiniteAnswer() throws {
        let rows = (0..<20).map { "\(Double($0)),\(Double($0) * 2 + 1)" }
        let table = try CSVTable(Array(("x,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: .linearRegression, target: "y", targetType: .number,
                                                               features: [FeatureSpec(name: "x", type: .number)], trainRows: Array(0..<20)))
        let server = ModelServer(name: "r", version: "1", model: model)
        let body = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1.7e308]}]}"#
        #expect(throws: BadRequest.self) { _ = try server.infer(Array(body.utf8), headerLength: nil) }
        let fine = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[3]}]}"#
        #expect(String(decoding: try server.infer(Array(fine.utf8), headerLength: nil).json, as: UTF8.self).contains(#""data":[7"#))
    }
}

/// The `explanation` and `explanation_base` outputs (DESIGN §9) over HTTP.
@Suite struct ModelServerExplanationTests {
    static func outputs(_ response: LoopbackModelServer.Answer) throws -> [String: [String: Any]] {
        let outputs = try #require(try response.json()["outputs"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: outputs.map { ($0["name"] as! String, $0) })
    }

    @Test("the metadata lists explanation [-1, F] with the features, and explanation_base [-1]")
    func metadata() async throws {
        try await LoopbackModelServer.with(try ModelServerTests.server()) { port in
            let body = try await LoopbackModelServer.send(port: port, "/v2/models/m").json()
            let outputs = body["outputs"] as! [[String: Any]]
            #expect(outputs.map { $0["name"] as! String } == ["predict", "predict_proba", "explanation", "explanation_base"])
            #expect(outputs[2]["datatype"] as? String == "FP64" && outputs[2]["shape"] as? [Int] == [-1, 2])
            #expect((outputs[2]["parameters"] as? [String: Any])?["features"] as? [String] == ["x", "region"])
            #expect(outputs[3]["shape"] as? [Int] == [-1])
        }
    }

    @Test("a request naming explanation gets [N, F] FP64 values whose sum plus the base is the logit of predict_proba")
    func binary() async throws {
        let server = try ModelServerTests.server()
        let request = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[3],"data":[0,9.5,null]},{"name":"region","datatype":"BYTES","shape":[3],"data":["eu","us","mars"]}],"outputs":[{"name":"predict_proba"},{"name":"explanation"},{"name":"explanation_base"}]}"#
        try await LoopbackModelServer.with(server) { port in
            let response = try await LoopbackModelServer.infer(port: port, request)
            #expect(response.status == .ok, "\(response.text)")
            let outputs = try Self.outputs(response)
            let explanation = try #require(outputs["explanation"])
            #expect(explanation["datatype"] as? String == "FP64")
            #expect(explanation["shape"] as? [Int] == [3, 2])
            let values = try #require(explanation["data"] as? [Double])
            let base = try #require(outputs["explanation_base"]?["data"] as? [Double])
            let probabilities = try #require(outputs["predict_proba"]?["data"] as? [Double])
            #expect(base.count == 3)
            let expected = server.model.explain([[.number(0), .text("eu")], [.number(9.5), .text("us")], [.missing, .text("mars")]])
            #expect(values == expected.values.flatMap { $0 }, "row-major, features in the model's order")
            #expect(values[4] == 0, "a missing number contributes nothing")
            for row in 0..<3 {
                let raw = values[2 * row] + values[2 * row + 1] + base[row]
                let positive = probabilities[2 * row + 1]
                #expect(abs(raw - log(positive / (1 - positive))) < 1e-9, "row \(row)")
            }
        }
    }

    @Test("softmax: the predicted class's explanation, in binary too; without asking, none is computed or sent")
    func softmaxBinary() async throws {
        let rows = (0..<60).map { "\(Double($0) / 6),\(["a", "b", "c"][$0 % 3]),\($0 < 20 ? "low" : $0 < 40 ? "mid" : "high")" }
        let table = try CSVTable(Array(("x,kind,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: .softmaxRegression, target: "y", targetType: .string,
                                                               features: [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "kind", type: .string)],
                                                               trainRows: Array(0..<60)))
        let server = ModelServer(name: "m", version: "7", model: model)
        let inputs = #"{"name":"x","datatype":"FP64","shape":[2],"data":[1,9]},{"name":"kind","datatype":"BYTES","shape":[2],"data":["a","c"]}"#
        let request = #"{"inputs":["# + inputs + #"],"outputs":[{"name":"predict"},{"name":"explanation","parameters":{"binary_data":true}},{"name":"explanation_base"}]}"#
        try await LoopbackModelServer.with(server) { port in
            let response = try await LoopbackModelServer.infer(port: port, request)
            #expect(response.status == .ok, "\(response.text)")
            let length = try #require(response.headers.first(name: "Inference-Header-Content-Length").flatMap(Int.init))
            let bytes = Array(response.body.readableBytesView)
            let json = try JSONSerialization.jsonObject(with: Data(bytes[..<length])) as! [String: Any]
            let outputs = json["outputs"] as! [[String: Any]]
            #expect(outputs[0]["data"] as? [String] == ["low", "high"])
            #expect(outputs[1]["shape"] as? [Int] == [2, 2])
            #expect((outputs[1]["parameters"] as? [String: Any])?["binary_data_size"] as? Int == 32)
            let values = stride(from: length, to: bytes.count, by: 8).map { start in
                Double(bitPattern: bytes[start..<start + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) })
            }
            let base = try #require(outputs[2]["data"] as? [Double])
            let explanation = model.explain([[.number(1), .text("a")], [.number(9), .text("c")]])
            #expect(explanation.outputClass == [1, 0], "classes in order high, low, mid: low then high predicted")
            #expect(values == explanation.values.flatMap { $0 })
            for row in 0..<2 {
                #expect(abs(values[2 * row] + values[2 * row + 1] + base[row] - explanation.raw[row]) < 1e-9)
            }
            let plain = try await LoopbackModelServer.infer(port: port, #"{"inputs":["# + inputs + "]}")
            #expect(try Self.outputs(plain).keys.sorted() == ["predict"])
        }
    }

    @Test("an unknown output names every output the model answers")
    func unknownOutput() throws {
        let server = try ModelServerTests.server()
        let body = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}],"outputs":[{"name":"shap"}]}"#
        do {
            _ = try server.infer(Array(body.utf8), headerLength: nil)
            Issue.record("answered, expected a 400")
        } catch {
            #expect(error.message == "unknown output shap; this model answers predict, predict_proba, explanation and explanation_base")
        }
    }
}
