import Testing
import SextantYAML

private struct Policy: Decodable, Equatable {
    var name: String
    var weight: Int
    var ratio: Double?
    var enabled: Bool?
    var steps: [Step]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, weight, ratio, enabled, steps
    }
}

private struct Step: Decodable, Equatable {
    var setWeight: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case setWeight
    }
}

/// Not strict: its keys are not CaseIterable, as for open standards.
private struct Lenient: Decodable {
    var name: String
}

@Suite struct YAMLDecoderTests {
    func node(_ text: String) throws -> YAMLNode {
        try #require(try YAMLParser().parse(text, file: "t.yaml").first?.root)
    }

    @Test("decodes scalars, optionals and nested lists")
    func decodes() throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node("name: canary\nweight: 10\nratio: 1\nenabled: true\nsteps: [{setWeight: 5}]\n"))
        #expect(result.issues.isEmpty)
        #expect(result.value == Policy(name: "canary", weight: 10, ratio: 1, enabled: true, steps: [Step(setWeight: 5)]))
    }

    @Test("an explicit null is an absent optional")
    func nullOptional() throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node("name: a\nweight: 1\nratio: ~\n"))
        #expect(result.value?.ratio == nil)
        #expect(result.issues.isEmpty)
    }

    @Test("every unknown field of a strict type is reported, with a suggestion")
    func unknownFields() throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node("name: a\nwieght: 1\nweight: 2\nsteps: [{setWeigth: 1, setWeight: 2}]\nzzz: 1\n"))
        #expect(result.value != nil)
        let messages = result.issues.map { "\($0.mark) \($0.path): \($0.message)" }
        #expect(Set(messages) == [
            "2:1 wieght: unknown field \"wieght\"; did you mean \"weight\"?",
            "5:1 zzz: unknown field \"zzz\"; expected one of: name, weight, ratio, enabled, steps",
            "4:10 steps[0].setWeigth: unknown field \"setWeigth\"; did you mean \"setWeight\"?",
        ])
    }

    @Test("types that are not strict ignore unknown fields")
    func lenient() throws {
        let result = YAMLDecoder().decode(Lenient.self, from: try node("name: a\nanything: 1\n"))
        #expect(result.value?.name == "a")
        #expect(result.issues.isEmpty)
    }

    @Test("type errors carry the field path and the value's position", arguments: [
        ("name: a\nweight: \"42\"\n", "2:9 weight: expected a whole number, found the string \"42\"; remove the quotes to make it a number"),
        ("name: a\nweight: 1.5\n", "2:9 weight: expected a whole number, found the number 1.5"),
        ("name: [a]\nweight: 1\n", "1:7 name: expected a string, found a list"),
        ("name: a\nweight: 1\nenabled: yes\n", "3:10 enabled: expected true or false, found the string \"yes\""),
        ("name: a\nweight: 1\nsteps: {setWeight: 1}\n", "3:8 steps: expected a list, found a mapping"),
        ("name: a\nweight: 1\nsteps:\n  - setWeight: x\n", "4:16 steps[0].setWeight: expected a whole number, found the string \"x\""),
        ("name: a\nweight: 99999999999999999999\n", "2:9 weight: expected a whole number, found the number 99999999999999999999"),
        ("- a\n- b\n", "1:1 (document): expected a mapping, found a list"),
    ])
    func typeErrors(text: String, expected: String) throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node(text))
        #expect(result.value == nil)
        #expect(result.issues.map { "\($0.mark) \($0.path): \($0.message)" } == [expected])
    }

    @Test("every type error in optional fields is reported, and the value is refused")
    func allOptionalTypeErrors() throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node("name: a\nweight: 1\nratio: x\nenabled: maybe\n"))
        #expect(result.value == nil)
        #expect(result.issues.map { "\($0.mark) \($0.path)" } == ["3:8 ratio", "4:10 enabled"])
    }

    @Test("a missing required field points at the key of its parent")
    func missingField() throws {
        let result = YAMLDecoder().decode(Policy.self, from: try node("name: a\nsteps:\n  - {}\n"))
        // The first missing field decoding meets is `weight`, at the top level.
        #expect(result.issues.map(\.message) == ["required field \"weight\" is missing"])
        let nested = YAMLDecoder().decode(Policy.self, from: try node("name: a\nweight: 1\nsteps:\n  - {}\n"))
        #expect(nested.issues.map { "\($0.mark) \($0.path)" } == ["4:5 steps[0].setWeight"])
    }

    @Test("suggestions are offered for near misses and for the one name a short form begins, or begins a segment of", arguments: [
        ("featurs", ["features", "target"], "features"),
        ("Target", ["features", "target"], "target"),
        ("banana", ["features", "target"], nil),
        ("fraud", ["fraud-detector", "churn"], "fraud-detector"),
        ("detector", ["fraud-detector", "churn"], "fraud-detector"),
        ("Fraud", ["fraud-detector", "churn"], "fraud-detector"),
        ("detector-v", ["fraud-detector-v2", "churn"], "fraud-detector-v2"),
        ("eval", ["evaluation", "serving"], "evaluation"),
        ("fraud", ["fraud-detector", "fraud-scorer"], nil),
        ("tector", ["fraud-detector"], nil),
        ("fr", ["fraud-detector"], nil),
        ("churm", ["churn", "churn-predictor"], "churn"),
    ] as [(String, [String], String?)])
    func suggestions(name: String, known: [String], expected: String?) {
        #expect(NearestName.closest(to: name, in: known) == expected)
    }

    @Test("a suggestion is worded one way")
    func suggestionWording() {
        #expect(NearestName.hint("featurs", in: ["features"]) == #"; did you mean "features"?"#)
        #expect(NearestName.hint("banana", in: ["features"]) == nil)
        #expect(NearestName.editDistance("kitten", "sitting") == 3)
    }
}
