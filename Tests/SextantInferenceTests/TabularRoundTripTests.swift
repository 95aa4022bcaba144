import Foundation
import Testing
import SextantInference

/// The writer side: the tabular encoder and `JSONWriter`, read back by the reader and by
/// Foundation's parser.
@Suite struct TabularRoundTripTests {
    /// SplitMix64: a fixed seed gives the same columns on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomDouble(_ random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: Double(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 1: Double.random(in: -1...1, using: &random)
        case 2: Double(bitPattern: random.next() & ~(0x7FF << 52) | (UInt64.random(in: 1...0x7FE, using: &random) << 52))  // any finite
        case 3: [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude, 0.1, 1e21, 1e-7][Int.random(in: 0..<8, using: &random)]
        default: (Double.random(in: 0...1000, using: &random) * 100).rounded() / 100
        }
    }

    static func randomText(_ random: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "東", "😀", "\u{7F}", "\u{2028}", "{", "]", ","]
        return (0..<Int.random(in: 0..<12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    @Test("encode then read gives the same columns: 200 random requests, fixed seed")
    func roundTrip() throws {
        var random = SeededGenerator(state: 20)
        for _ in 0..<200 {
            let rows = Int.random(in: 0..<40, using: &random)
            var inputs: [TabularRequestEncoder.Input] = []
            for index in 0..<Int.random(in: 1..<6, using: &random) {
                let missing = { (random: inout SeededGenerator) in Int.random(in: 0..<6, using: &random) == 0 }
                let column: TensorColumn
                let datatype: TensorDatatype
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    datatype = .fp64
                    column = .numbers((0..<rows).map { _ in missing(&random) ? nil : Self.randomDouble(&random) })
                case 1:
                    datatype = .int64
                    column = .numbers((0..<rows).map { _ in missing(&random) ? nil : Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &random)) })
                case 2:
                    datatype = .bool
                    column = .booleans((0..<rows).map { _ in missing(&random) ? nil : Bool.random(using: &random) })
                default:
                    datatype = .bytes
                    column = .texts((0..<rows).map { _ in missing(&random) ? nil : Self.randomText(&random) })
                }
                inputs.append(TabularRequestEncoder.Input(name: "f\(index) \(Self.randomText(&random))", datatype: datatype, column: column))
            }
            let encoder = TabularRequestEncoder(id: Self.randomText(&random), contentType: "pd", inputs: inputs, outputs: ["predict", "predict_proba"])
            let body = encoder.encode()
            let read = try InferenceRequest(body, headerLength: nil)
            #expect(read.id == encoder.id)
            #expect(read.requestedOutputs?.map(\.name) == ["predict", "predict_proba"])
            #expect(read.inputs.map(\.name) == inputs.map(\.name))
            for (got, sent) in zip(read.inputs, inputs) {
                #expect(got.datatype == sent.datatype)
                #expect(got.shape == [rows])
                switch (got.values, sent.column) {
                case (.numbers(let values), .numbers(let numbers)):
                    #expect(values.map { $0?.bitPattern } == numbers.map { $0?.bitPattern }, "\(sent.name)")
                case (.numbers(let values), .booleans(let flags)):
                    #expect(values == flags.map { $0.map { $0 ? 1 : 0 } })
                case (.texts(let values), .texts(let texts)):
                    #expect(values == texts)
                default:
                    Issue.record("\(sent.name): read as another kind of column")
                }
            }
            // Foundation's parser agrees that it is JSON.
            #expect((try? JSONSerialization.jsonObject(with: Data(body))) != nil, "\(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }

    @Test("numbers: shortest round-trip form, whole numbers without .0, never inf or nan", arguments: [
        (1.0, "1"), (-0.0, "-0"), (0.1, "0.1"), (1e21, "1e+21"), (1e-7, "1e-07"), (0.30000000000000004, "0.30000000000000004"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"), (Double.infinity, "null"), (-Double.infinity, "null"), (Double.nan, "null"),
        (123456.5, "123456.5"),
    ])
    func numbers(_ value: Double, _ written: String) {
        var json = JSONWriter()
        json.number(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == written)
    }

    @Test("integers and escaped strings", arguments: [
        (Int64.min, #"-9223372036854775808"#), (Int64.max, "9223372036854775807"), (0, "0"), (-7, "-7"),
    ])
    func integers(_ value: Int64, _ written: String) {
        var json = JSONWriter()
        json.integer(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == written)
    }

    @Test("strings: quotes, backslashes and control characters escaped, the rest as UTF-8")
    func strings() throws {
        var json = JSONWriter()
        json.string("a\"b\\c\n\t\u{1}é😀/")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""a\"b\\c\n\t\u0001é😀/""#)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes), options: .fragmentsAllowed) as? String
        #expect(decoded == "a\"b\\c\n\t\u{1}é😀/")
    }
}
