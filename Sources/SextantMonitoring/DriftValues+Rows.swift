package import SextantML

extension DriftValues {
    /// One feature's logged values as its contract type reads them: numbers for `number`
    /// and `integer` (a number sent as text is parsed; what is not a number is missing),
    /// categories otherwise (`true`/`false` for booleans, numbers written as `formatNumber`
    /// writes them, so `1` and `1.0` are one category).
    package init(logged values: [RowValue], type: ColumnType) {
        switch type {
        case .number, .integer:
            self = .numbers(values.map { value in
                switch value {
                case .integer(let number): Double(number)
                case .number(let number): number
                case .string(let text): Self.number(text)
                case .boolean, .null: nil
                }
            })
        case .boolean:
            self = .categories(values.map { value in
                if case .string(let text) = value { return Self.category(text, type: .boolean) }
                return value.label
            })
        case .string, .date, .timestamp:
            self = .categories(values.map(\.label))
        }
    }

    /// One column of the reference sample (CSV fields, nil or empty when missing), read as
    /// logged values are: the same numbers and categories for the same values.
    package init(fields: [String?], type: ColumnType) {
        switch type {
        case .number, .integer:
            self = .numbers(fields.map { $0.flatMap(Self.number) })
        case .string, .boolean, .date, .timestamp:
            self = .categories(fields.map { field in field.flatMap { $0.isEmpty ? nil : Self.category($0, type: type) } })
        }
    }

    private static func number(_ text: String) -> Double? {
        if case .number(let number)? = ColumnType.number.parse(text) { return number }
        return nil
    }

    private static func category(_ text: String, type: ColumnType) -> String {
        if type == .boolean, case .boolean(let flag)? = ColumnType.boolean.parse(text) { return String(flag) }
        return text
    }
}
