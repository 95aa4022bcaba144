import Testing
@testable import SextantAPI
import SextantYAML

/// `SEXTANT_HYPERPARAMETERS` keeps each number's type from the manifest: `1.0` stays a
/// float and `100` an integer, while the fingerprint does not tell them apart.
@Suite struct HyperparameterTypesTests {
    static func value(_ yaml: String) throws -> JSONValue {
        let documents = try YAMLParser().parse(yaml, file: "model.yaml")
        return JSONValue(try #require(documents.first).root)
    }

    @Test("each YAML scalar reaches the trainer's JSON with its type", arguments: [
        ("C: 1.0", #"{"C":1.0}"#),
        ("max_iter: 100", #"{"max_iter":100}"#),
        ("learning_rate: 0.05", #"{"learning_rate":0.05}"#),
        ("alpha: 1e-7", #"{"alpha":1e-07}"#),
        ("big: 1.0e20", #"{"big":1e+20}"#),
        ("n: -3", #"{"n":-3}"#),
        ("x: -2.0", #"{"x":-2.0}"#),
        ("hex: 0x10", #"{"hex":16}"#),
        ("limit: .inf", #"{"limit":"Infinity"}"#),
        ("solver: lbfgs", #"{"solver":"lbfgs"}"#),
        ("quoted: \"1.0\"", #"{"quoted":"1.0"}"#),
        ("flag: true", #"{"flag":true}"#),
        ("none: null", #"{"none":null}"#),
        ("layers: [64, 32.0]", #"{"layers":[64,32.0]}"#),
        ("nested: {b: 2, a: 0.5}", #"{"nested":{"a":0.5,"b":2}}"#),
        ("text: \"say \\\"hi\\\"/\\n\"", #"{"text":"say \"hi\"/\n"}"#),
    ])
    func typedJSON(yaml: String, json: String) throws {
        #expect(try Self.value(yaml).typedJSON == json)
    }

    @Test("the canonical form (fingerprints) is unchanged: 1 and 1.0 are one number there")
    func canonicalUnchanged() throws {
        let integer = try Self.value("C: 1"), float = try Self.value("C: 1.0")
        #expect(integer != float)
        #expect(Fingerprint.canonicalJSON(integer) == Fingerprint.canonicalJSON(float))
        #expect(String(decoding: Fingerprint.canonicalJSON(try Self.value("a: 100\nb: 0.5\nc: 2.0")), as: UTF8.self) == #"{"a":100,"b":0.5,"c":2}"#)
        #expect(integer == .object(["C": .integer(1)]) && float == .object(["C": .number(1)]))
        #expect(JSONValue.integer(1).number == 1 && JSONValue.number(1).number == 1)
    }
}
