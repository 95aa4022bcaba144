import SextantML

/// One value of a decoded row, typed as the request sent it: an `INT*` tensor gives
/// integers, `FP*` numbers, `BOOL` booleans, `BYTES` strings, and a missing value (`null`,
/// or NaN in binary form) is `null`.
package enum RowValue: Sendable, Hashable {
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case string(String)
    case null

    /// The value as a CSV field holds it: `3`, `0.25`, `3.0`, `true`, the text; empty for null.
    package var text: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .boolean(let value): String(value)
        case .string(let value): value
        case .null: ""
        }
    }

    /// The value as a class label or target is written in training data and metrics
    /// (`ModelTrainer.labels`): `true`/`false`, numbers as `formatNumber` writes them
    /// (`1.0` and `1` are one label); nil for null.
    package var label: String? {
        switch self {
        case .integer(let value): formatNumber(Double(value))
        case .number(let value): formatNumber(value)
        case .boolean(let value): String(value)
        case .string(let value): value
        case .null: nil
        }
    }
}
