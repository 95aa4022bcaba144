#if canImport(Glibc)
import Glibc
#endif

/// The logical types of a table's columns (ODCS `logicalType`).
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case string, integer, number, boolean, date, timestamp
}

/// One typed value. Numbers compare by value (`1` and `1.0` are equal); dates are days
/// since 1970-01-01 and timestamps seconds since the epoch in UTC.
package enum Value: Sendable, Hashable, Comparable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case text(String)
    case date(Int64)
    case timestamp(Double)

    package var description: String {
        switch self {
        case .number(let value): formatNumber(value)
        case .boolean(let value): String(value)
        case .text(let value): "\"\(value)\""
        case .date(let days): formatDate(days)
        case .timestamp(let seconds): formatDate(Int64((seconds / 86_400).rounded(.down))) + "T…"
        }
    }

    package static func < (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): a < b
        case (.boolean(let a), .boolean(let b)): !a && b
        case (.text(let a), .text(let b)): a < b
        case (.date(let a), .date(let b)): a < b
        case (.timestamp(let a), .timestamp(let b)): a < b
        default: false
        }
    }
}

extension ColumnType {
    /// Decodes a field's bytes as this type; nil when they are not a value of it.
    /// Integers are numbers whose value is whole (`7` and `7.0`).
    package func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        switch self {
        case .string:
            return .text(String(decoding: bytes, as: UTF8.self))
        case .number:
            return parseDouble(bytes).map(Value.number)
        case .integer:
            guard let value = parseDouble(bytes), value.rounded(.towardZero) == value, abs(value) <= 9_007_199_254_740_992 else { return nil }
            return .number(value)
        case .boolean:
            return parseBoolean(bytes).map(Value.boolean)
        case .date:
            return parseDate(bytes).map(Value.date)
        case .timestamp:
            return parseTimestamp(bytes).map(Value.timestamp)
        }
    }

    package func parse(_ text: String) -> Value? {
        var text = text
        return text.withUTF8 { parse($0) }
    }
}

/// Decimal numbers: `[+-]digits[.digits][e[+-]digits]`. No `nan`, `inf` or hex.
func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let count = bytes.count
    guard count > 0, count < 64 else { return nil }
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var fractionDigits = 0
    var sawDot = false
    var simple = true
    while index < count {
        let byte = bytes[index]
        if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0")) } else { simple = false }
            digits += 1
            if sawDot { fractionDigits += 1 }
        } else if byte == UInt8(ascii: "."), !sawDot {
            sawDot = true
        } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            simple = false
            break
        } else {
            return nil
        }
        index += 1
    }
    guard digits > 0 || !simple else { return nil }
    // Exact for up to 15 significant digits and 22 fraction digits (both values are exact
    // doubles, and one correctly rounded division gives the correctly rounded result).
    if simple, digits <= 15, fractionDigits <= 22 {
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
        return negative ? -value : value
    }
    // The rare long or exponent form: strtod on a terminated copy, then check it used every byte.
    var buffer = [CChar](repeating: 0, count: count + 1)
    for position in 0..<count { buffer[position] = CChar(bitPattern: bytes[position]) }
    for byte in bytes where !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) && byte != UInt8(ascii: ".")
        && byte != UInt8(ascii: "e") && byte != UInt8(ascii: "E") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "+") {
        return nil
    }
    return buffer.withUnsafeMutableBufferPointer { pointer -> Double? in
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(pointer.baseAddress!, &end)
        guard let end, end - pointer.baseAddress! == count, value.isFinite else { return nil }
        return value
    }
}

private let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

/// `true`/`false` in any case, and `1`/`0`.
func parseBoolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
    switch bytes.count {
    case 1:
        if bytes[0] == UInt8(ascii: "1") { return true }
        if bytes[0] == UInt8(ascii: "0") { return false }
        return nil
    case 4:
        return matchesLowercased(bytes, "true") ? true : nil
    case 5:
        return matchesLowercased(bytes, "false") ? false : nil
    default:
        return nil
    }
}

private func matchesLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
    let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
    for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] { return false }
    return true
}

/// `YYYY-MM-DD`, a real calendar day: days since 1970-01-01.
func parseDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
          let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2),
          (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
    return daysFromCivil(year: year, month: month, day: day)
}

/// ISO 8601 date and time: `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH:MM]` (no zone means
/// UTC): seconds since the epoch.
func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    guard bytes.count >= 16, let days = parseDate(UnsafeBufferPointer(rebasing: bytes[0..<10])),
          bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
          let hour = digits(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = digits(bytes, 14, 2),
          hour < 24, minute < 60 else { return nil }
    var seconds = Double(days * 86_400 + Int64(hour * 3600 + minute * 60))
    var index = 16
    if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
        guard let second = digits(bytes, index + 1, 2), second < 61 else { return nil }
        seconds += Double(second)
        index += 3
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                seconds += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
    }
    guard index < bytes.count else { return seconds }
    if bytes[index] == UInt8(ascii: "Z"), index + 1 == bytes.count { return seconds }
    guard bytes.count - index == 6, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
          let zoneHours = digits(bytes, index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
          let zoneMinutes = digits(bytes, index + 4, 2) else { return nil }
    let offset = Double(zoneHours * 3600 + zoneMinutes * 60)
    return bytes[index] == UInt8(ascii: "+") ? seconds - offset : seconds + offset
}

private func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    guard start + count <= bytes.count else { return nil }
    var value = 0
    for index in start..<(start + count) {
        let byte = bytes[index]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
}

private func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Howard Hinnant's days-from-civil algorithm.
private func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
    let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

private func formatDate(_ days: Int64) -> String {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
}

/// Numbers as people write them: `3`, not `3.0`; `0.25`.
package func formatNumber(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}
