import Crypto
import Foundation
@testable import SextantGateway
import SextantTestSupport
import SextantWire
import Testing

/// Classified inputs in the prediction log (DESIGN §9): every form of request is written
/// back as JSON with their values replaced by `hmac:` + the first 16 bytes of HMAC-SHA256 in
/// hex; a request that cannot be decoded loses its body.
@Suite struct ClassifiedRedactionTests {
    static let key = PredictionLogKey(key: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
    static let inputs = HashedInputs(names: ["postcode"], features: ["amount", "postcode"])

    /// HMAC-SHA256 computed here from the definition, not through the code under test.
    static func expected(_ text: String) -> String {
        "hmac:" + HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key.key).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    static func record(_ body: [UInt8], headerLength: Int? = nil) -> PredictionRecord {
        PredictionRecord(time: 1, requestId: "r", model: "m", revision: 1, version: 1, status: 200, latencyMs: 1,
                         request: .init(contentType: "application/json", inferenceHeaderLength: headerLength, bytes: body),
                         answer: .init(contentType: "application/json", bytes: Array(#"{"outputs":[]}"#.utf8)))
    }

    static func redacted(_ record: PredictionRecord) -> (PredictionRecord, ClassifiedRedaction.Outcome) {
        var record = record
        let outcome = ClassifiedRedaction(inputs: inputs, key: key).redact(&record)
        return (record, outcome)
    }

    @Test("one input per feature: the classified one becomes BYTES hashes, nulls stay null, the others keep their values")
    func perFeatureInputs() throws {
        let body = #"{"id":"q1","inputs":[{"name":"amount","datatype":"FP64","shape":[3],"data":[1.5,2,null]},"#
            + #"{"name":"postcode","datatype":"INT64","shape":[3],"data":[48213,48213,null]}],"outputs":[{"name":"predict"}]}"#
        let (record, outcome) = Self.redacted(Self.record(Array(body.utf8)))
        #expect(outcome == .hashed)
        let hash = Self.expected("48213")
        #expect(String(decoding: record.request.bytes, as: UTF8.self) == #"{"id":"q1","inputs":[{"name":"amount","shape":[3],"datatype":"FP64","data":[1.5,2,null]},"#
                + #"{"name":"postcode","shape":[3],"datatype":"BYTES","data":["\#(hash)","\#(hash)",null]}]}"#)
        #expect(record.request.contentType == "application/json" && record.request.inferenceHeaderLength == nil)
        #expect(record.answer == Self.record([]).answer)
    }

    @Test("the same value hashes the same whatever its form: INT64, FP64, text, binary")
    func forms() throws {
        let hash = Self.expected("48213")
        let forms: [(String, [UInt8], Int?)] = [
            ("FP64", Array(#"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"FP64","shape":[1],"data":[48213.0]}]}"#.utf8), nil),
            ("BYTES", Array(#"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"BYTES","shape":[1],"data":["48213"]}]}"#.utf8), nil),
            ("binary", Self.binary(), Self.binaryHeader.utf8.count),
            ("[N, F] matrix", Array(#"{"inputs":[{"name":"x","datatype":"FP64","shape":[1,2],"data":[[1,48213]]}]}"#.utf8), nil),
        ]
        for (form, body, headerLength) in forms {
            let (record, outcome) = Self.redacted(Self.record(body, headerLength: headerLength))
            let text = String(decoding: record.request.bytes, as: UTF8.self)
            #expect(outcome == .hashed && text.contains(#""name":"postcode","shape":[1],"datatype":"BYTES","data":["\#(hash)"]"#), "\(form): \(text)")
            #expect(!text.contains("48213"), "\(form): \(text)")
        }
    }

    static let binaryHeader = #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"parameters":{"binary_data_size":8}},"#
        + #"{"name":"postcode","datatype":"INT64","shape":[1],"parameters":{"binary_data_size":8}}]}"#

    static func binary() -> [UInt8] {
        var body = Array(binaryHeader.utf8)
        withUnsafeBytes(of: Double(1).bitPattern.littleEndian) { body += $0 }
        withUnsafeBytes(of: Int64(48213).littleEndian) { body += $0 }
        return body
    }

    @Test("a request that cannot be decoded, or without the classified input, is kept without its body", arguments: [
        #"{"inputs":[{"name":"postcode","datatype":"INT64","shape":[1],"data":[48213"#,
        #"{"inputs":[{"name":"zip","datatype":"INT64","shape":[1],"data":[48213]}]}"#,
        "postcode=48213",
    ])
    func undecodable(_ body: String) {
        let (record, outcome) = Self.redacted(Self.record(Array(body.utf8)))
        #expect(outcome == .bodyDropped && record.request.bytes.isEmpty && record.request.inferenceHeaderLength == nil)
    }

    @Test("the key is made once, 32 bytes with mode 0600, and read back the same")
    func keyFile() throws {
        let state = try TemporaryDirectory()
        let first = try PredictionLogKey.loadOrCreate(state: state.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: PredictionLogKey.path(state: state.path))
        #expect(attributes[.posixPermissions] as? Int == 0o600 && attributes[.size] as? Int == 32)
        let again = try PredictionLogKey.loadOrCreate(state: state.path)
        #expect(first.hash("48213") == again.hash("48213") && first.hash("48213") != first.hash("48214"))
        #expect(first.hash("48213").count == 5 + 32)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: PredictionLogKey.path(state: state.path)))
        #expect(throws: PredictionLogKeyError.self) { try PredictionLogKey.loadOrCreate(state: state.path) }
    }
}
