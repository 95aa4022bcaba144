import Testing
import SextantYAML

@Suite struct ScalarTests {
    @Test("plain scalars resolve by the YAML 1.2 core schema", arguments: [
        ("~", Scalar.Resolved.null), ("null", .null), ("", .null), ("NULL", .null),
        ("true", .bool(true)), ("False", .bool(false)),
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")),
        ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("0x1F", .int(31)), ("0o17", .int(15)),
        ("0.5", .float(0.5)), ("1e3", .float(1000)), (".5", .float(0.5)), ("-.inf", .float(-.infinity)),
        ("1.0.0", .string("1.0.0")), ("30s", .string("30s")), ("1_000", .string("1_000")), ("-", .string("-")),
        ("12345678901234567890", .float(Double("12345678901234567890")!)),
    ])
    func plain(text: String, expected: Scalar.Resolved) {
        #expect(Scalar(text).resolved == expected)
    }

    @Test("quoted and block scalars are always strings")
    func quoted() {
        #expect(Scalar("42", style: .doubleQuoted).resolved == .string("42"))
        #expect(Scalar("true", style: .singleQuoted).resolved == .string("true"))
        #expect(Scalar("1", style: .literal).resolved == .string("1"))
        #expect(Scalar("1", tag: "tag:yaml.org,2002:str").resolved == .string("1"))
    }

    @Test(".nan resolves to a NaN float")
    func nan() {
        guard case .float(let value) = Scalar(".nan").resolved else {
            Issue.record("not a float")
            return
        }
        #expect(value.isNaN)
    }
}
