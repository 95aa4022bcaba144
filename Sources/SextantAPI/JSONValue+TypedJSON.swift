extension JSONValue {
    /// JSON in which a number keeps the type it was written with: an integer as `100`, a
    /// float as `1.0` (the canonical form writes both as `1`). What an external trainer
    /// reads as `SEXTANT_HYPERPARAMETERS`, so that `C: 1.0` reaches Python as a float.
    /// Keys sorted, no whitespace; a non-finite float as the string `Infinity`, `-Infinity`
    /// or `NaN`, as in the canonical form.
    package var typedJSON: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value) where value.isNaN: "\"NaN\""
        case .number(let value) where value.isInfinite: value > 0 ? "\"Infinity\"" : "\"-Infinity\""
        // Swift writes every finite Double with a fraction or an exponent (`1.0`, `1e-07`,
        // `1e+20`), each of them valid JSON.
        case .number(let value): String(value)
        case .string(let value): Self.quoted(value)
        case .array(let items): "[" + items.map(\.typedJSON).joined(separator: ",") + "]"
        case .object(let fields):
            "{" + fields.keys.sorted().map { Self.quoted($0) + ":" + fields[$0]!.typedJSON }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: Fingerprint.canonicalJSON(text), as: UTF8.self)
    }
}
