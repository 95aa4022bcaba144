/// The tensor datatypes of the Open Inference Protocol v2, with what a value of each may be:
/// a number a request carries is checked against its datatype before anything uses it.
package enum TensorDatatype: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "UINT8", uint16 = "UINT16", uint32 = "UINT32", uint64 = "UINT64"
    case int8 = "INT8", int16 = "INT16", int32 = "INT32", int64 = "INT64"
    case fp16 = "FP16", fp32 = "FP32", fp64 = "FP64"
    case bytes = "BYTES"

    /// Bytes per element in the binary extension (nil for BYTES, whose elements carry a length).
    package var byteWidth: Int? {
        switch self {
        case .bool, .uint8, .int8: 1
        case .uint16, .int16, .fp16: 2
        case .uint32, .int32, .fp32: 4
        case .uint64, .int64, .fp64: 8
        case .bytes: nil
        }
    }

    package var isNumeric: Bool { self != .bytes }

    /// Integers and booleans hold whole numbers only.
    package var isWhole: Bool {
        switch self {
        case .fp16, .fp32, .fp64, .bytes: false
        default: true
        }
    }

    /// The values a JSON number of this datatype may take (bounds as `Double`s: a 64-bit
    /// integer's largest value rounds up to 2⁶³, so its range is half-open there).
    package var range: (lower: Double, upper: Double, upperIncluded: Bool) {
        switch self {
        case .bool: (0, 1, true)
        case .uint8: (0, Double(UInt8.max), true)
        case .uint16: (0, Double(UInt16.max), true)
        case .uint32: (0, Double(UInt32.max), true)
        case .uint64: (0, 0x1p64, false)
        case .int8: (Double(Int8.min), Double(Int8.max), true)
        case .int16: (Double(Int16.min), Double(Int16.max), true)
        case .int32: (Double(Int32.min), Double(Int32.max), true)
        case .int64: (-0x1p63, 0x1p63, false)
        case .fp16: (-65504, 65504, true)
        case .fp32: (-Double(Float.greatestFiniteMagnitude), Double(Float.greatestFiniteMagnitude), true)
        case .fp64, .bytes: (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude, true)
        }
    }

    /// Why `value` cannot be an element of this datatype, or nil when it can.
    package func problem(with value: Double) -> String? {
        guard value.isFinite else { return "\(value) is not a finite number" }
        let (lower, upper, upperIncluded) = range
        if value < lower || value > upper || (!upperIncluded && value == upper) {
            return "\(format(value)) is outside \(rawValue)'s range \(format(lower))…\(format(upper))"
        }
        if isWhole, value.rounded(.towardZero) != value { return "\(format(value)) is not a whole number, as \(rawValue) needs" }
        return nil
    }

    private func format(_ value: Double) -> String {
        abs(value) < 1e15 && value.rounded(.towardZero) == value ? String(Int64(value)) : "\(value)"
    }
}
