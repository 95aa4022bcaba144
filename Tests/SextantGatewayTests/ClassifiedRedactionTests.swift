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
    /// `postcode` a classified numeric feature, `region` a classified column the model does not use.
    static let inputs = HashedInputs(names: ["postcode", "region"], features: ["amount", "postcode"], columns: ["amount", "postcode", "region", "is_fraud"],
                                     numeric: ["postcode"])

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

    @Test("a classified column the model does not use is hashed too, when sent beside the features or beside their [N, F] tensor")
    func classifiedColumnNotAFeature() {
        let hash = Self.expected("eu")
        let bodies = [
            #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"INT64","shape":[1],"data":[48213]},"#
                + #"{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#,
            #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1,2],"data":[[1,48213]]},{"name":"region","datatype":"BYTES","shape":[1],"data":["eu"]}]}"#,
        ]
        for body in bodies {
            let (record, outcome) = Self.redacted(Self.record(Array(body.utf8)))
            let text = String(decoding: record.request.bytes, as: UTF8.self)
            #expect(outcome == .hashed && text.contains(#""name":"region","shape":[1],"datatype":"BYTES","data":["\#(hash)"]"#), "\(text)")
            #expect(text.contains(#""name":"postcode","shape":[1],"datatype":"BYTES","data":["\#(Self.expected("48213"))"]"#), "\(text)")
            #expect(!text.contains(#""eu""#) && !text.contains("48213,") && !text.contains("48213]"), "\(text)")
        }
    }

    @Test("inputs that are no column of the contract table (an alias, a copy of the matrix) are left out and named in the request's parameters")
    func inputsOutsideTheTable() {
        let body = #"{"id":"q","inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"INT64","shape":[1],"data":[48213]},"#
            + #"{"name":"zip_alias","datatype":"INT64","shape":[1],"data":[48213]},{"name":"x","datatype":"FP64","shape":[1,2],"data":[[1,48213]]}]}"#
        let (record, outcome) = Self.redacted(Self.record(Array(body.utf8)))
        #expect(outcome == .hashed)
        #expect(String(decoding: record.request.bytes, as: UTF8.self) == #"{"id":"q","parameters":{"sextant_inputs_left_out":["zip_alias","x"]},"inputs":["#
                + #"{"name":"amount","shape":[1],"datatype":"FP64","data":[1]},{"name":"postcode","shape":[1],"datatype":"BYTES","data":["\#(Self.expected("48213"))"]}]}"#)
    }

    @Test("a numeric classified feature sent as text is hashed as the number it reads as; a text column as written", arguments: [
        ("postcode", "48213.0", "48213"), ("postcode", " 48213", "48213"), ("postcode", "4.8213e4", "48213"), ("postcode", "unknown", "unknown"),
        ("region", "48213.0", "48213.0"),
    ])
    func numericText(column: String, sent: String, hashedAs: String) {
        let postcode = column == "postcode" ? #"["\#(sent)"]"# : "[1]"
        let region = column == "region" ? #"["\#(sent)"]"# : #"["eu"]"#
        let body = #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},"#
            + #"{"name":"postcode","datatype":"\#(column == "postcode" ? "BYTES" : "INT64")","shape":[1],"data":\#(postcode)},"#
            + #"{"name":"region","datatype":"BYTES","shape":[1],"data":\#(region)}]}"#
        let (record, outcome) = Self.redacted(Self.record(Array(body.utf8)))
        let text = String(decoding: record.request.bytes, as: UTF8.self)
        #expect(outcome == .hashed && text.contains(#""name":"\#(column)","shape":[1],"datatype":"BYTES","data":["\#(Self.expected(hashedAs))"]"#), "\(text)")
    }

    @Test("an answer that is not 2xx is dropped (it may echo a value sent); a 2xx answer is kept; a dropped request drops its answer", arguments: [
        (200, true, true), (400, true, false), (500, true, false), (200, false, false),
    ])
    func answers(status: Int, decodable: Bool, kept: Bool) {
        var record = Self.record(Array((decodable ? #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"postcode","datatype":"INT64","shape":[1],"data":[48213]}]}"#
                                                  : "postcode=48213").utf8))
        record.status = status
        record.answer = .init(contentType: "application/json", bytes: Array(#"{"error":"input postcode: element 0: 48213.5 is not a whole number"}"#.utf8))
        let (redacted, _) = Self.redacted(record)
        #expect(redacted.answer.bytes.isEmpty == !kept && redacted.answer.contentType == "application/json" && redacted.status == status)
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
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path + "/keys") == ["prediction-log.key"], "no temporary file left")
    }

    @Test("an empty key file (a crash while it was made) is taken for none and a key made; a short one is refused, named, never replaced")
    func damagedKeyFile() throws {
        let state = try TemporaryDirectory()
        let path = PredictionLogKey.path(state: state.path)
        try FileManager.default.createDirectory(atPath: state.path + "/keys", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let made = try PredictionLogKey.loadOrCreate(state: state.path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 32)
        #expect(try PredictionLogKey.loadOrCreate(state: state.path).hash("48213") == made.hash("48213"))

        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: PredictionLogKeyError.self) { try PredictionLogKey.loadOrCreate(state: state.path) }
        #expect(error.description.contains(path) && error.description.contains("holds 3 bytes, not 32") && error.description.contains("delete it"), "\(error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
    }
}
