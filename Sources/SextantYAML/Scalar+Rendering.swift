extension Scalar {
    /// True when `text` written as a plain scalar reads back as the same string: not a
    /// number, boolean or null, no indicator first, nothing that starts a comment or a
    /// mapping value. Inside a flow collection (`[…]`, `{…}`), flow indicators are refused too.
    package static func readsBackPlain(_ text: String, inFlow: Bool = false) -> Bool {
        if text.isEmpty || text.first == " " || text.last == " " { return false }
        guard case .string = resolvePlain(text) else { return false }
        guard let first = text.unicodeScalars.first, !"-?:,[]{}#&*!|>'\"%@`~".unicodeScalars.contains(first) else { return false }
        if inFlow, text.unicodeScalars.contains(where: { ",[]{}".unicodeScalars.contains($0) }) { return false }
        return !text.contains(": ") && !text.contains(" #") && !text.hasSuffix(":")
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    /// `text` as a double-quoted scalar, with control characters, quotes and backslashes escaped.
    package static func doubleQuoted(_ text: String) -> String {
        var quoted = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                if character.value < 0x20 || character.value == 0x7F {
                    let hex = String(character.value, radix: 16)
                    quoted += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    quoted.unicodeScalars.append(character)
                }
            }
        }
        return quoted + "\""
    }

    /// `text` as a single-quoted scalar (quotes doubled), or nil when it holds a line break
    /// or a control character, which single quotes cannot say on one line.
    package static func singleQuoted(_ text: String) -> String? {
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return nil }
        var quoted = "'"
        for character in text.unicodeScalars {
            if character == "'" { quoted += "''" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted + "'"
    }

    /// The text of a plain scalar that resolves to `value` under the core schema; nil for a
    /// string, whose writing depends on its neighbours (see `readsBackPlain`).
    package static func plainText(of value: Resolved) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .float(let number):
            if number.isNaN { return ".nan" }
            if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
            // Swift prints `1e-05` and `100.0`: both read back as the same float.
            return "\(number)"
        case .string: return nil
        }
    }
}
