/// A scalar's text and how it was written.
package struct Scalar: Sendable, Hashable {
    /// How a scalar was written; quoted and block scalars are always strings.
    package enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// What a scalar means under the YAML 1.2 core schema.
    package enum Resolved: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int64)
        case float(Double)
        case string(String)
    }

    package var value: String
    package var style: Style
    /// The explicit tag, if any (`!!str` makes a plain `123` a string).
    package var tag: String?

    package init(_ value: String, style: Style = .plain, tag: String? = nil) {
        self.value = value
        self.style = style
        self.tag = tag
    }

    /// The scalar resolved by the YAML 1.2 core schema: only plain, untagged scalars are
    /// anything but strings. `yes`/`no`/`on`/`off` are strings, as in YAML 1.2.
    package var resolved: Resolved {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str", "!!str": return .string(value)
            case "tag:yaml.org,2002:null", "!!null": return .null
            default: break
            }
        }
        guard style == .plain else { return .string(value) }
        return Scalar.resolvePlain(value)
    }

    static func resolvePlain(_ text: String) -> Resolved {
        let utf8 = text.utf8
        guard let first = utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"):
            return text == "~" ? .null : .string(text)
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "null" || text == "Null" || text == "NULL" { return .null }
            return .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if text == "true" || text == "True" || text == "TRUE" { return .bool(true) }
            return .string(text)
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if text == "false" || text == "False" || text == "FALSE" { return .bool(false) }
            return .string(text)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return resolveNumber(text) ?? .string(text)
        default:
            return .string(text)
        }
    }

    private static func resolveNumber(_ text: String) -> Resolved? {
        if text.hasPrefix("0x"), let value = Int64(text.dropFirst(2), radix: 16) { return .int(value) }
        if text.hasPrefix("0o"), let value = Int64(text.dropFirst(2), radix: 8) { return .int(value) }
        var isInteger = true
        var digits = 0
        for (offset, byte) in text.utf8.enumerated() {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
            } else if offset == 0 && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")) {
                continue
            } else {
                isInteger = false
                break
            }
        }
        if isInteger && digits > 0 {
            if let value = Int64(text) { return .int(value) }
            return Double(text).map { .float($0) }
        }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        // The core schema's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        guard isCoreFloat(text), let value = Double(text) else { return nil }
        return .float(value)
    }

    private static func isCoreFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        func digitRun() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        let integral = digitRun()
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = digitRun()
        }
        guard integral > 0 || fraction > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard digitRun() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// A short description for error messages: `the string "abc"`, `the number 3`, `null`.
    package var kindDescription: String {
        switch resolved {
        case .null: return "null"
        case .bool(let value): return "the boolean \(value)"
        case .int, .float: return "the number \(value)"
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "the string \"\(shown)\""
        }
    }
}
