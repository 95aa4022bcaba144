/// The columns text takes on a terminal, and text cut to fit with `…`.
extension String {
    /// Wide characters (CJK, fullwidth forms, emoji) take two columns, every other
    /// character one (a character is a grapheme cluster: combining marks add nothing).
    var displayWidth: Int { reduce(0) { $0 + $1.displayWidth } }

    /// The text if it fits in `width` columns, else its longest prefix that fits with `…`
    /// after it. Cuts between characters, so never inside a UTF-8 scalar or a cluster.
    func fitted(to width: Int) -> String {
        guard displayWidth > width else { return self }
        guard width > 0 else { return "" }
        var result = ""
        var used = 0
        for character in self {
            let next = character.displayWidth
            guard used + next <= width - 1 else { break }
            result.append(character)
            used += next
        }
        return result + "…"
    }

    /// The text padded with spaces to `width` columns.
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - displayWidth))
    }
}

extension Character {
    var displayWidth: Int {
        guard let scalar = unicodeScalars.first else { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
