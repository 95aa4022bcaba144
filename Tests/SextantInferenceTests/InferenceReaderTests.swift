import Foundation
import Testing
@testable import SextantInference

/// The OIP v2 reader: every datatype, nulls, nested data, numbers in every JSON form, escapes,
/// unknown keys, and each error's message (naming the input and the element or byte).
@Suite struct InferenceReaderTests {
    static func request(_ json: String, header: String? = nil) throws(BadRequest) -> InferenceRequest {
        try InferenceRequest(Array(json.utf8), headerLength: header)
    }

    /// One input `x` of `datatype` with `data` (shape from `shape`).
    static func input(_ datatype: String, _ data: String, shape: String) -> String {
        #"{"inputs":[{"name":"x","datatype":"\#(datatype)","shape":\#(shape),"data":\#(data)}]}"#
    }

    struct Values: Sendable, CustomTestStringConvertible {
        var datatype: String
        var data: String
        var shape: String
        var expected: [Double?]
        var testDescription: String { "\(datatype) \(data)" }
    }

    static let numbers: [Values] = [
        Values(datatype: "BOOL", data: "[true,false,null,1,0]", shape: "[5]", expected: [1, 0, nil, 1, 0]),
        Values(datatype: "UINT8", data: "[0,255]", shape: "[2]", expected: [0, 255]),
        Values(datatype: "UINT16", data: "[65535]", shape: "[1]", expected: [65535]),
        Values(datatype: "UINT32", data: "[4294967295]", shape: "[1]", expected: [4294967295]),
        Values(datatype: "UINT64", data: "[18446744073709549568]", shape: "[1]", expected: [18446744073709549568]),
        Values(datatype: "INT8", data: "[-128,127]", shape: "[2]", expected: [-128, 127]),
        Values(datatype: "INT16", data: "[-32768]", shape: "[1]", expected: [-32768]),
        Values(datatype: "INT32", data: "[-2147483648, 2147483647]", shape: "[2]", expected: [-2147483648, 2147483647]),
        Values(datatype: "INT64", data: "[-9223372036854775808, 1e3, 12E+1]", shape: "[3]", expected: [-9223372036854775808, 1000, 120]),
        Values(datatype: "FP16", data: "[65504, -1.5]", shape: "[2]", expected: [65504, -1.5]),
        Values(datatype: "FP32", data: "[3.4028234663852886e38]", shape: "[1]", expected: [Double(Float.greatestFiniteMagnitude)]),
        Values(datatype: "FP64", data: "[0.1, -0, 1e-7, 2.5E-3, 1.7976931348623157e308, 5e-324, 123456789012345678901234567890]", shape: "[7]",
               expected: [0.1, -0.0, 1e-7, 2.5e-3, .greatestFiniteMagnitude, .leastNonzeroMagnitude, Double("123456789012345678901234567890")!]),
        Values(datatype: "FP64", data: "[0.30000000000000004, 9007199254740993, 4.35]", shape: "[3]", expected: [0.30000000000000004, 9007199254740992, 4.35]),
        Values(datatype: "FP64", data: "[[1, 2], [null, 4], [5, 6]]", shape: "[3, 2]", expected: [1, 2, nil, 4, 5, 6]),
        Values(datatype: "FP64", data: "[[[1]], [[2]]]", shape: "[2, 1, 1]", expected: [1, 2]),
        Values(datatype: "FP64", data: " \n\t[ 1 ,\r\n 2 ] ", shape: " [ 2 ] ", expected: [1, 2]),
        Values(datatype: "FP64", data: "7", shape: "[1]", expected: [7]),
        Values(datatype: "FP64", data: "[]", shape: "[0]", expected: []),
    ]

    @Test("every numeric datatype, nulls, nested data, numbers in every JSON form", arguments: numbers)
    func numericValues(_ case: Values) throws {
        let request = try Self.request(Self.input(`case`.datatype, `case`.data, shape: `case`.shape))
        guard case .numbers(let values) = request.tensors["x"] else { Issue.record("not numbers"); return }
        #expect(values.count == `case`.expected.count)
        for (got, want) in zip(values, `case`.expected) {
            #expect(got?.bitPattern == want?.bitPattern, "\(String(describing: got)) != \(String(describing: want))")
        }
    }

    @Test("BYTES: every escape, \\u surrogate pairs, raw UTF-8, null as missing")
    func texts() throws {
        let data = #"["plain", "a\"b\\c\/d", "\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "zürich 東京", null, ""]"#
        let request = try Self.request(Self.input("BYTES", data, shape: "[8]"))
        guard case .texts(let values) = request.tensors["x"] else { Issue.record("not texts"); return }
        #expect(values == ["plain", "a\"b\\c/d", "\u{8}\u{c}\n\r\t", "é€", "😀", "zürich 東京", nil, ""])
    }

    @Test("members in any order, unknown keys skipped at any depth, id, parameters and requested outputs kept")
    func header() throws {
        let json = #"""
            {"extra": {"deep": [1, {"x": [true, null, "s\""]}], "n": -1.5e-3}, "id": "r-1",
             "inputs": [{"data": [1, 2], "shape": [2], "unknown": [[]], "datatype": "INT32", "name": "x", "parameters": {"content_type": "np", "z": {}}},
                        {"name": "y", "datatype": "BYTES", "shape": [2], "data": ["a", "b"]}],
             "parameters": {"content_type": "pd", "binary_data_output": true},
             "outputs": [{"name": "predict", "parameters": {"binary_data": false}}, {"name": "predict_proba"}, 7]}
            """#
        let request = try Self.request(json)
        #expect(request.id == "r-1")
        #expect(request.binaryDataOutput)
        #expect(request.requestedOutputs?.map(\.name) == ["predict", "predict_proba", nil])
        #expect(request.requestedOutputs?.map(\.binaryData) == [false, nil, nil])
        #expect(request.inputs.map(\.name) == ["x", "y"])
        #expect(request.inputs[0].datatype == .int32)
        guard case .numbers(let x) = request.tensors["x"] else { Issue.record("x is not numbers"); return }
        #expect(x == [1, 2])
        #expect(try Self.request(#"{"id": 7, "inputs": [{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}"#).id == nil, "an id that is not a string is none")
    }

    @Test("an answer's outputs, with the class list of predict_proba")
    func answer() throws {
        let json = #"{"model_name":"m","outputs":[{"name":"predict_proba","datatype":"FP64","shape":[1,2],"data":[0.25,0.75],"parameters":{"classes":["no","yes"]}}]}"#
        let answer = try InferenceMessage(Array(json.utf8), headerLength: nil, list: .outputs)
        #expect(answer.tensors.first?.classes == ["no", "yes"])
        #expect(answer.tensors.first?.shape == [1, 2])
        let bad = #"{"outputs":[{"name":"predict","datatype":"FP64","shape":[1],"data":["a"]}]}"#
        #expect(throws: BadRequest.self) { _ = try InferenceMessage(Array(bad.utf8), headerLength: nil, list: .outputs) }
        do {
            _ = try InferenceMessage(Array(bad.utf8), headerLength: nil, list: .outputs)
        } catch {
            #expect(error.message == "output predict: element 0 of FP64 data is not a number")
        }
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var message: String
        var testDescription: String { name }
    }

    static let deep = String(repeating: "[", count: 70) + "1" + String(repeating: "]", count: 70)

    static let failures: [Failure] = [
        Failure(name: "empty", body: "", message: "the request is not JSON: expected a value, found the end of the JSON at byte 0"),
        Failure(name: "truncated", body: #"{"inputs":[{"name":"x","datatype":"FP64","shape":[2],"data":[1,"#,
                message: "the request is not JSON: expected a value, found the end of the JSON at byte 63 (in input x)"),
        Failure(name: "truncated string", body: #"{"inputs":[{"name":"x"#, message: "the request is not JSON: a string without its closing quote at byte 21"),
        Failure(name: "trailing garbage", body: input("FP64", "[1]", shape: "[1]") + " x",
                message: "the request is not JSON: unexpected data after the JSON value at byte 67"),
        Failure(name: "a trailing comma", body: input("FP64", "[1,]", shape: "[2]"),
                message: "the request is not JSON: expected a value, found ']' at byte 63 (in input x)"),
        Failure(name: "a missing comma", body: input("FP64", "[1 2]", shape: "[2]"),
                message: "the request is not JSON: expected ',' or ']' in an array, found '2' at byte 63 (in input x)"),
        Failure(name: "a single-quoted key", body: "{'inputs':[]}", message: "the request is not JSON: expected a key in quotes, found ''' at byte 1"),
        Failure(name: "NaN", body: input("FP64", "[1, NaN]", shape: "[2]"),
                message: "the request is not JSON: NaN and Infinity are not JSON values; send null for a missing value at byte 64 (in input x)"),
        Failure(name: "-Infinity", body: input("FP64", "[-Infinity]", shape: "[1]"),
                message: "NaN and Infinity are not JSON values; send null for a missing value at byte 61 (in input x)"),
        Failure(name: "a leading zero", body: input("FP64", "[01]", shape: "[1]"), message: "the request is not JSON: a number with a leading zero at byte 62 (in input x)"),
        Failure(name: "a bare decimal point", body: input("FP64", "[1.]", shape: "[1]"),
                message: "the request is not JSON: expected a digit after the decimal point, found ']' at byte 63 (in input x)"),
        Failure(name: "a plus sign", body: input("FP64", "[+1]", shape: "[1]"), message: "expected a value, found '+' at byte 61 (in input x)"),
        Failure(name: "an exponent without digits", body: input("FP64", "[1e]", shape: "[1]"), message: "expected a digit in the exponent, found ']'"),
        Failure(name: "a lone low surrogate", body: input("BYTES", #"["\udc00"]"#, shape: "[1]"), message: "a \\u escape of a low surrogate without its high surrogate"),
        Failure(name: "a high surrogate alone", body: input("BYTES", #"["\ud83d x"]"#, shape: "[1]"), message: "a \\u escape of a high surrogate without its low surrogate"),
        Failure(name: "an unknown escape", body: input("BYTES", #"["\q"]"#, shape: "[1]"), message: "an unknown escape \\q"),
        Failure(name: "a short \\u escape", body: input("BYTES", #"["\u12"]"#, shape: "[1]"), message: "a \\u escape needs 4 hexadecimal digits"),
        Failure(name: "a raw control character", body: input("BYTES", "[\"a\u{1}\"]", shape: "[1]"), message: "a control character (0x1) in a string; escape it"),
        Failure(name: "nested 70 deep", body: input("FP64", deep, shape: "[1]"),
                message: "the request is not JSON: arrays and objects nested more than 64 deep at byte"),
        Failure(name: "an unknown key nested 70 deep", body: #"{"extra":"# + deep + "}",
                message: "the request is not JSON: arrays and objects nested more than 64 deep at byte 72"),
        Failure(name: "no inputs", body: #"{"outputs":[]}"#, message: "the request has no inputs"),
        Failure(name: "an empty list of inputs", body: #"{"inputs":[]}"#, message: "the request has no inputs"),
        Failure(name: "JSON that is not an object", body: "[1, 2]", message: "the request has no inputs"),
        Failure(name: "inputs not a list", body: #"{"inputs":{}}"#, message: "the request has no inputs"),
        Failure(name: "an input that is not an object", body: #"{"inputs":[3]}"#, message: "input 0 has no name"),
        Failure(name: "a name that is not a string", body: #"{"inputs":[{"name":3}]}"#, message: "input 0 has no name"),
        Failure(name: "no datatype", body: #"{"inputs":[{"name":"x","shape":[1],"data":[1]}]}"#, message: "input x has no datatype"),
        Failure(name: "an unknown datatype", body: input("FP8", "[1]", shape: "[1]"), message: "input x: datatype FP8 is not one of BOOL, UINT8"),
        Failure(name: "no shape", body: #"{"inputs":[{"name":"x","datatype":"FP64","data":[1]}]}"#, message: "input x has no shape; the tabular convention sends shape [N]"),
        Failure(name: "a shape that is not a list", body: input("FP64", "[1]", shape: #""1""#), message: #"input x: shape "1" is not a list of dimensions"#),
        Failure(name: "an empty shape", body: input("FP64", "[1]", shape: "[]"), message: "input x: shape [] is not a list of dimensions"),
        Failure(name: "a shape mismatch", body: input("FP64", "[[1, 2], [3, 4]]", shape: "[3, 2]"), message: "input x: shape [3, 2] holds 6 values, but 4 were sent"),
        Failure(name: "no data", body: #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1]}]}"#, message: "input x has neither data nor binary_data_size"),
        Failure(name: "a string for a number", body: input("FP64", #"[1, "2"]"#, shape: "[2]"), message: "input x: element 1 of FP64 data is not a number"),
        Failure(name: "a boolean for a number", body: input("FP32", "[true]", shape: "[1]"), message: "input x: element 0 of FP32 data is not a number"),
        Failure(name: "an object for a BOOL", body: input("BOOL", "[{}]", shape: "[1]"), message: "input x: element 0 of BOOL data is not a number or a boolean"),
        Failure(name: "a number for BYTES", body: input("BYTES", #"["a", 1]"#, shape: "[2]"), message: "input x: element 1 of BYTES data is not a string"),
        Failure(name: "a boolean for BYTES", body: input("BYTES", "[false]", shape: "[1]"), message: "input x: element 0 of BYTES data is not a string"),
        Failure(name: "a number beyond Double", body: input("FP64", "[1, 1e400]", shape: "[2]"), message: "input x: element 1: inf is not a finite number"),
        Failure(name: "a negative number beyond Double", body: input("FP64", "[-1e400]", shape: "[1]"), message: "input x: element 0: -inf is not a finite number"),
        Failure(name: "INT64 of 2^63", body: input("INT64", "[9223372036854775808]", shape: "[1]"), message: "input x: element 0: 9.223372036854776e+18 is outside INT64's range"),
        Failure(name: "UINT8 of 256", body: input("UINT8", "[256]", shape: "[1]"), message: "input x: element 0: 256 is outside UINT8's range 0…255"),
        Failure(name: "a fractional INT16", body: input("INT16", "[1, 2.5e0]", shape: "[2]"), message: "input x: element 1: 2.5 is not a whole number, as INT16 needs"),
        Failure(name: "FP16 beyond its range", body: input("FP16", "[65520]", shape: "[1]"), message: "input x: element 0: 65520 is outside FP16's range"),
        Failure(name: "an input given twice", body: #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]},{"name":"x","datatype":"FP64","shape":[1],"data":[2]}]}"#,
                message: "input x is given twice"),
        Failure(name: "data before its datatype, still checked", body: #"{"inputs":[{"data":[1.5],"name":"x","shape":[1],"datatype":"INT8"}]}"#,
                message: "input x: element 0: 1.5 is not a whole number, as INT8 needs"),
    ]

    @Test("each malformed request is a BadRequest saying what and where", arguments: failures)
    func malformed(_ failure: Failure) {
        do {
            _ = try Self.request(failure.body)
            Issue.record("read without an error")
        } catch {
            #expect(error.message.contains(failure.message), "\(error.message)")
        }
    }

    @Test("every prefix and 3,000 byte-mutated copies of a request are read or refused, never a trap (fixed seed)")
    func mutations() {
        let body = Array(#"{"id":"a\u00e9","inputs":[{"name":"x","datatype":"FP64","shape":[2,1],"data":[[1.5e3],[null]]},{"name":"r","datatype":"BYTES","shape":[1],"data":["e\"u"]}],"outputs":[{"name":"predict"}]}"#.utf8)
        var read = 0, refused = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                _ = try InferenceRequest(bytes, headerLength: nil)
                read += 1
            } catch {
                #expect(!error.message.isEmpty)
                refused += 1
            }
        }
        for end in 0...body.count { attempt(Array(body[..<end])) }
        var random = TabularRoundTripTests.SeededGenerator(state: 7)
        let alphabet = Array(#"{}[]",:0123456789.eE+-\u nultrfasNI "#.utf8) + [0, 0x1F, 0xC3, 0xFF]
        for _ in 0..<3000 {
            var copy = body
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                copy[Int.random(in: 0..<copy.count, using: &random)] = alphabet.randomElement(using: &random)!
            }
            attempt(copy)
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }

    @Test("invalid UTF-8 in a string is a syntax error naming the byte")
    func invalidUTF8() {
        let body = Array(#"{"inputs":[{"name":"x"#.utf8) + [0xFF] + Array(#""}]}"#.utf8)
        #expect(throws: BadRequest.self) { _ = try InferenceRequest(body, headerLength: nil) }
        do {
            _ = try InferenceRequest(body, headerLength: nil)
        } catch {
            #expect(error.message == "the request is not JSON: a string that is not valid UTF-8 at byte 20")
        }
    }
}
