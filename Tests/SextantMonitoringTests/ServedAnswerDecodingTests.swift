import SextantML
@testable import SextantMonitoring
@testable import SextantServing
import Testing

/// The decoder reads what `sextant serve-model` answers, in JSON and in binary.
@Suite struct ServedAnswerDecodingTests {
    static func server() throws -> ModelServer {
        let rows = (0..<40).map { "\(Double($0) / 4),\($0 % 2 == 0 ? "eu" : "us"),\($0 >= 20)" }
        let table = try CSVTable(Array(("x,region,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let features = [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "region", type: .string)]
        let model = try ModelTrainer.train(table, TrainingSpec(trainer: .logisticRegression, target: "y", targetType: .boolean,
                                                               features: features, trainRows: Array(0..<40)))
        return ModelServer(name: "m", version: "1", model: model)
    }

    @Test("predict and predict_proba as serve-model answers them, JSON and binary, decode to the same rows", arguments: [false, true])
    func served(binary: Bool) throws {
        let server = try Self.server()
        let signature = ModelSignature(features: ["x", "region"], task: .binaryClassification, classes: server.model.classes ?? [])
        let request = #"""
            {"inputs":[{"name":"x","datatype":"FP64","shape":[3],"data":[0.5,9.5,null]},
                       {"name":"region","datatype":"BYTES","shape":[3],"data":["eu","us","eu"]}],
             "outputs":[{"name":"predict","parameters":{"binary_data":\#(binary)}},{"name":"predict_proba","parameters":{"binary_data":\#(binary)}}]}
            """#
        let answer = try server.infer(Array(request.utf8), headerLength: nil)
        let answerBody = LoggedExchange.Body(bytes: answer.json + (answer.binary ?? []), contentType: binary ? "application/octet-stream" : "application/json",
                                             headerLength: answer.binary == nil ? nil : answer.json.count)
        #expect((answer.binary != nil) == binary)
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: LoggedExchange.Body(bytes: Array(request.utf8)), answer: answerBody), signature: signature)
        #expect(rows.map(\.features) == [[.number(0.5), .string("eu")], [.number(9.5), .string("us")], [.null, .string("eu")]])
        // Trained on y = x ≥ 5: a low x is false, a high one true.
        #expect(rows[0].predict == .boolean(false) && rows[1].predict == .boolean(true))
        for row in rows {
            let probabilities = try #require(row.probabilities)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-12)
            #expect(row.predict == .boolean(probabilities[1] >= 0.5), "predict agrees with P(true)")
        }
    }
}
