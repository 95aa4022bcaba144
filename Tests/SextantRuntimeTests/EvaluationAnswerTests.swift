import Testing
import SextantAPI
import SextantCore
import SextantInference
@testable import SextantRuntime

/// What evaluation reads from a server's answer to a holdout batch, with the reader the model
/// server's requests go through, and the request bodies it writes.
@Suite struct EvaluationAnswerTests {
    struct Answer: Sendable, CustomTestStringConvertible {
        var name: String
        var json: String
        var targetType: LogicalType
        var labels: [String]?
        var probabilities: [[Double]]?
        var testDescription: String { name }
    }

    static let answers: [Answer] = [
        Answer(name: "BOOL predict, as serve-model answers it",
               json: #"{"model_name":"m","outputs":[{"name":"predict","datatype":"BOOL","shape":[2],"data":[true,false]}]}"#,
               targetType: .boolean, labels: ["true", "false"]),
        Answer(name: "INT64 predict [N, 1], nested, as MLServer answers it",
               json: #"{"outputs":[{"name":"predict","datatype":"INT64","shape":[2,1],"parameters":{"content_type":"np"},"data":[[1],[0]]}]}"#,
               targetType: .boolean, labels: ["true", "false"]),
        Answer(name: "BYTES predict of a boolean target written True/False",
               json: #"{"outputs":[{"name":"predict","datatype":"BYTES","shape":[2],"data":["True","false"]}]}"#,
               targetType: .boolean, labels: ["true", "false"]),
        Answer(name: "FP64 predict of a regression, 1.0 and 1 alike",
               json: #"{"outputs":[{"name":"predict","datatype":"FP64","shape":[2],"data":[1.0, 2.5e0]}]}"#,
               targetType: .number, labels: ["1", "2.5"]),
        Answer(name: "predict_proba alone, [N, K]",
               json: #"{"outputs":[{"name":"predict_proba","datatype":"FP64","shape":[2,2],"data":[0.25,0.75,0.5,0.5]}]}"#,
               targetType: .boolean, probabilities: [[0.25, 0.75], [0.5, 0.5]]),
        Answer(name: "both, in any order, unknown outputs and keys skipped",
               json: #"{"id":"x","outputs":[{"name":"shap","datatype":"FP32","shape":[1],"data":[0]},{"data":[[0.9,0.1],[0.2,0.8]],"shape":[2,2],"datatype":"FP64","name":"predict_proba"},{"name":"predict","datatype":"BOOL","shape":[2],"data":[false,true]}],"extra":{}}"#,
               targetType: .boolean, labels: ["false", "true"], probabilities: [[0.9, 0.1], [0.2, 0.8]]),
    ]

    @Test("predict and predict_proba, flat or nested, in every datatype a server answers", arguments: answers)
    func reads(_ answer: Answer) throws {
        let read = try EmbeddedRuntime.parse(Array(answer.json.utf8), rows: 2, classes: ["false", "true"], revision: 3, targetType: answer.targetType)
        #expect(read.labels == answer.labels)
        #expect(read.probabilities == answer.probabilities)
    }

    @Test("an answer that cannot be read, or holds too few rows, fails the evaluation naming the server and why", arguments: [
        (#"{"outputs":[{"name":"predict","datatype":"BOOL","shape":[2],"data":[true]}]}"#,
         "r3's server answered the holdout with what Sextant cannot read: output predict: shape [2] holds 2 values, but 1 were sent"),
        (#"{"outputs":[{"name":"predict","datatype":"BOOL","shape":[1],"data":[true]}]}"#, "r3's server answered 1 predictions for 2 rows"),
        (#"{"error":"boom"}"#, "r3's server answered the holdout with what Sextant cannot read: the answer has no outputs"),
        ("<html>", "r3's server answered the holdout with what Sextant cannot read: the answer is not JSON: expected a value, found '<' at byte 0"),
    ])
    func unreadable(_ json: String, _ message: String) {
        #expect {
            _ = try EmbeddedRuntime.parse(Array(json.utf8), rows: 2, classes: ["false", "true"], revision: 3, targetType: .boolean)
        } throws: { error in
            guard let error = error as? ActionError else { return false }
            return error.message.hasPrefix(message) && error.reason == "EvaluationFailed"
        }
    }

    @Test("CSV fields become typed columns; what does not parse is null")
    func columns() {
        #expect(EmbeddedRuntime.tensorColumn(["1.5", nil, "x", "-2"], type: .number) == .numbers([1.5, nil, nil, -2]))
        #expect(EmbeddedRuntime.tensorColumn(["true", "false", "maybe", nil], type: .boolean) == .booleans([true, false, nil, nil]))
        #expect(EmbeddedRuntime.tensorColumn(["eu", nil], type: .string) == .texts(["eu", nil]))
        #expect(LogicalType.integer.tensorDatatype == .int64)
        #expect(LogicalType.timestamp.tensorDatatype == .bytes)
    }

    @Test("a larger holdout is explained on a seeded sample: distinct positions, ascending, the same for a seed, another for another seed")
    func explanationSample() {
        let sample = EmbeddedRuntime.sample(1000, of: 40_000, seed: 42)
        #expect(sample.count == 1000)
        #expect(Set(sample).count == 1000)
        #expect(sample == sample.sorted())
        #expect(sample.allSatisfy { (0..<40_000).contains($0) })
        #expect(EmbeddedRuntime.sample(1000, of: 40_000, seed: 42) == sample)
        #expect(EmbeddedRuntime.sample(1000, of: 40_000, seed: 43) != sample)
        #expect(EmbeddedRuntime.sample(5, of: 5, seed: 1) == [0, 1, 2, 3, 4])
    }

    @Test("slices per value of a sensitive feature; beyond 20 values, the 19 largest and (other) for the rest, every row in one")
    func slices() throws {
        let rows = 300
        let truth = (0..<rows).map { $0 % 3 == 0 ? "true" : "false" }
        let answers = EmbeddedRuntime.Answers(labels: nil, probabilities: (0..<rows).map { $0 % 2 == 0 ? [0.2, 0.8] : [0.7, 0.3] },
                                              classes: ["false", "true"])
        let few = (0..<rows).map { ["eu", "us", "apac"][$0 % 3] }
        let small = try #require(EmbeddedRuntime.slices(answers, task: .binaryClassification, truth: truth, by: [("region", few)]))
        #expect(small.map(\.value) == ["apac", "eu", "us"])
        #expect(small.allSatisfy { $0.rows == 100 && $0.metrics["accuracy"] != nil })
        // 24 values: v00 has 1 row, v01 2, … v23 24 (300 in all).
        func name(_ value: Int) -> String { (value < 10 ? "v0" : "v") + String(value) }
        let many = (0..<24).flatMap { value in Array(repeating: name(value), count: value + 1) }
        #expect(many.count == rows)
        let capped = try #require(EmbeddedRuntime.slices(answers, task: .binaryClassification, truth: truth, by: [("age", many)]))
        #expect(capped.count == EmbeddedRuntime.maxSlices)
        #expect(capped.last?.value == "(other)")
        #expect(capped.map(\.rows).reduce(0, +) == rows)
        #expect(Array(capped.dropLast().map(\.value)) == (5..<24).map(name), "the 19 largest, in value order")
        #expect(capped.last?.rows == 1 + 2 + 3 + 4 + 5)
        #expect(EmbeddedRuntime.slices(answers, task: .binaryClassification, truth: truth, by: []) == nil)
    }
}
