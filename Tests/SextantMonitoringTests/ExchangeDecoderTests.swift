import Foundation
import SextantML
@testable import SextantMonitoring
import SextantTestSupport
import Testing

/// Bodies as clients send them, built by hand: JSON and the binary tensor data extension.
enum Bodies {
    static let signature = ModelSignature(features: ["amount", "hour", "region", "card_present"], task: .binaryClassification,
                                          classes: ["true", "false"])

    static func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func bytes(_ texts: [String]) -> [UInt8] {
        texts.flatMap { little(UInt32($0.utf8.count)) + Array($0.utf8) }
    }

    /// A JSON header whose tensors are in the binary part, in order: the body and header length.
    static func binary(_ list: String, _ tensors: [(name: String, datatype: String, shape: [Int], bytes: [UInt8])]) -> LoggedExchange.Body {
        let items = tensors.map { #"{"name":"\#($0.name)","datatype":"\#($0.datatype)","shape":\#($0.shape),"parameters":{"binary_data_size":\#($0.bytes.count)}}"# }
        let header = Array(#"{"\#(list)":[\#(items.joined(separator: ","))]}"#.utf8)
        return LoggedExchange.Body(bytes: header + tensors.flatMap(\.bytes), contentType: "application/octet-stream", headerLength: header.count)
    }

    static func json(_ text: String) -> LoggedExchange.Body {
        LoggedExchange.Body(bytes: Array(text.utf8))
    }

    /// The request the model server's tabular convention takes, in JSON.
    static let jsonRequest = json("""
        {"parameters":{"content_type":"pd"},"inputs":[
         {"name":"amount","datatype":"FP64","shape":[2],"data":[12.5,3]},
         {"name":"hour","datatype":"INT64","shape":[2],"data":[23,null]},
         {"name":"region","datatype":"BYTES","shape":[2],"data":["eu","us, \\"west\\""]},
         {"name":"card_present","datatype":"BOOL","shape":[2],"data":[true,false]}]}
        """)

    static let jsonAnswer = json("""
        {"model_name":"m","model_version":"1","outputs":[
         {"name":"predict","datatype":"BOOL","shape":[2],"data":[true,false]},
         {"name":"predict_proba","datatype":"FP64","shape":[2,2],"data":[[0.25,0.75],[0.875,0.125]],"parameters":{"classes":["false","true"]}}]}
        """)

    static let expected = [
        DecodedRow(features: [.number(12.5), .integer(23), .string("eu"), .boolean(true)], predict: .boolean(true), probabilities: [0.25, 0.75]),
        DecodedRow(features: [.number(3), .null, .string(#"us, "west""#), .boolean(false)], predict: .boolean(false), probabilities: [0.875, 0.125]),
    ]
}

extension LoggedExchange.Body {
    /// The same body with its header claiming `size` binary bytes for its (only) tensor.
    func claiming(_ size: Int) -> LoggedExchange.Body {
        let header = String(decoding: bytes.prefix(headerLength ?? 0), as: UTF8.self)
        let claimed = Array(header.replacingOccurrences(of: #""binary_data_size":2"#, with: #""binary_data_size":\#(size)"#).utf8)
        return LoggedExchange.Body(bytes: claimed + bytes.dropFirst(headerLength ?? 0), contentType: contentType, headerLength: claimed.count)
    }
}

@Suite struct ExchangeDecoderTests {
    @Test("JSON request and answer: one row per input row, values typed as sent")
    func json() throws {
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: Bodies.jsonRequest, answer: Bodies.jsonAnswer), signature: Bodies.signature)
        #expect(rows == Bodies.expected)
    }

    @Test("binary tensors both ways: FP32, INT32, BYTES with length prefixes, BOOL; NaN is missing")
    func binary() throws {
        let request = Bodies.binary("inputs", [
            ("region", "BYTES", [2], Bodies.bytes(["eu", #"us, "west""#])),
            ("amount", "FP32", [2], Bodies.little(Float(12.5).bitPattern) + Bodies.little(Float(3).bitPattern)),
            ("hour", "INT32", [2, 1], Bodies.little(Int32(23)) + Bodies.little(Float.nan.bitPattern)),
            ("card_present", "BOOL", [2], [1, 0]),
        ])
        let answer = Bodies.binary("outputs", [
            ("predict", "BOOL", [2, 1], [1, 0]),
            ("predict_proba", "FP64", [2, 2], [0.25, 0.75, 0.875, 0.125].flatMap { Bodies.little($0.bitPattern) }),
        ])
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: request, answer: answer), signature: Bodies.signature)
        #expect(rows.map(\.predict) == Bodies.expected.map(\.predict))
        #expect(rows.map(\.probabilities) == Bodies.expected.map(\.probabilities))
        #expect(rows[0].features == Bodies.expected[0].features)
        // An INT32 whose bytes are NaN's as FP32 is just a (large) integer: only float NaN is missing.
        #expect(rows[1].features[1] == .integer(Int64(Int32(bitPattern: Float.nan.bitPattern))))
    }

    @Test("one [N, F] tensor holds the features in the model's order")
    func matrix() throws {
        let signature = ModelSignature(features: ["a", "b", "c"], task: .regression)
        let request = Bodies.json(#"{"inputs":[{"name":"x","datatype":"FP64","shape":[2,3],"data":[[1,2,3],[4,5,6]]}]}"#)
        let answer = Bodies.json(#"{"outputs":[{"name":"predict","datatype":"FP64","shape":[2,1],"data":[0.5,1.5]}]}"#)
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: request, answer: answer), signature: signature)
        #expect(rows == [DecodedRow(features: [.number(1), .number(2), .number(3)], predict: .number(0.5)),
                         DecodedRow(features: [.number(4), .number(5), .number(6)], predict: .number(1.5))])
    }

    @Test("probabilities follow the model's class order, whatever order the answer lists")
    func classOrder() throws {
        let answer = Bodies.json("""
            {"outputs":[{"name":"predict_proba","datatype":"FP32","shape":[2,2],"data":[0.75,0.25,0.125,0.875],"parameters":{"classes":["true","false"]}}]}
            """)
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: Bodies.jsonRequest, answer: answer), signature: Bodies.signature)
        #expect(rows.map(\.probabilities) == [[0.25, 0.75], [0.875, 0.125]])
        #expect(rows.allSatisfy { $0.predict == nil }, "no predict asked for: none made up")
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var exchange: LoggedExchange
        var reason: UndecodableExchange.Reason
        var message: String
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(name: "a 503 answer", exchange: LoggedExchange(status: 503, request: Bodies.jsonRequest, answer: Bodies.json("upstream down")),
                reason: .status, message: "the answer was HTTP 503; only a 200 answer carries predictions"),
        Failure(name: "a request that is not JSON",
                exchange: LoggedExchange(request: LoggedExchange.Body(bytes: [0, 1, 2], contentType: "application/octet-stream"), answer: Bodies.jsonAnswer),
                reason: .request, message: "(the body is application/octet-stream but no Inference-Header-Content-Length was logged)"),
        Failure(name: "a binary size past the body",
                exchange: LoggedExchange(request: Bodies.binary("inputs", [("amount", "FP64", [1], [0, 0])]).claiming(80), answer: Bodies.jsonAnswer),
                reason: .request, message: "request: input amount: binary_data_size 80 is not a byte count within the 2 bytes left of the body"),
        Failure(name: "a feature missing",
                exchange: LoggedExchange(request: Bodies.json(#"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]}]}"#), answer: Bodies.jsonAnswer),
                reason: .layout, message: "the request has no input for hour, region, card_present and no single [N, 4] tensor (inputs: amount [1])"),
        Failure(name: "an answer without outputs",
                exchange: LoggedExchange(request: Bodies.jsonRequest, answer: Bodies.json(#"{"model_name":"m"}"#)),
                reason: .answer, message: "answer: the answer has no outputs"),
        Failure(name: "fewer predictions than rows",
                exchange: LoggedExchange(request: Bodies.jsonRequest, answer: Bodies.json(#"{"outputs":[{"name":"predict","datatype":"BOOL","shape":[1],"data":[true]}]}"#)),
                reason: .layout, message: "the answer's predict holds 1 values for the request's 2 rows"),
        Failure(name: "other classes",
                exchange: LoggedExchange(request: Bodies.jsonRequest, answer: Bodies.json(#"{"outputs":[{"name":"predict_proba","datatype":"FP64","shape":[2,2],"data":[1,0,1,0],"parameters":{"classes":["no","yes"]}}]}"#)),
                reason: .layout, message: "the answer's predict_proba lists classes no, yes, the model has false, true"),
        Failure(name: "no predict and no predict_proba",
                exchange: LoggedExchange(request: Bodies.jsonRequest, answer: Bodies.json(#"{"outputs":[{"name":"score","datatype":"FP64","shape":[2],"data":[1,0]}]}"#)),
                reason: .layout, message: "the answer has neither predict nor predict_proba (outputs: score)"),
    ]

    @Test("what cannot be decoded is an error value naming the problem", arguments: failures)
    func undecodable(_ failure: Failure) {
        #expect {
            _ = try ExchangeDecoder.rows(of: failure.exchange, signature: Bodies.signature)
        } throws: { error in
            guard let error = error as? UndecodableExchange else { return false }
            return error.reason == failure.reason && error.message.contains(failure.message)
        }
    }
}
