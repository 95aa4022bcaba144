/// The forges' limits on a pull request's text. GitHub refuses a body over 65,536
/// characters and GitLab a title over 255; Sextant keeps to the smaller of each everywhere,
/// counting Unicode code points (what the forges count) and cutting only between whole
/// characters, so an emoji or an accented letter is never split.
extension PullRequestDraft {
    package static let maxTitleCharacters = 255
    package static let maxBodyCharacters = 65_536

    /// This draft within the limits: a long title ends with `…`; a long body ends with a
    /// line saying it was cut and how long it was. A title is one line.
    package var limited: PullRequestDraft {
        var draft = self
        let oneLine = title.split(whereSeparator: \.isNewline).joined(separator: " ")
        draft.title = Self.prefix(oneLine, codePoints: Self.maxTitleCharacters, marker: "…")
        let length = body.unicodeScalars.count
        if length > Self.maxBodyCharacters {
            let notice = "\n\n*This description was cut to the forge's limit of 65,536 characters; it had \(length).*"
            draft.body = Self.prefix(body, codePoints: Self.maxBodyCharacters - notice.unicodeScalars.count, marker: "") + notice
        }
        return draft
    }

    /// `text` itself when it has at most `codePoints`; otherwise its longest run of whole
    /// characters that fits with `marker` after it, then `marker`.
    static func prefix(_ text: String, codePoints: Int, marker: String) -> String {
        guard text.unicodeScalars.count > codePoints else { return text }
        let budget = codePoints - marker.unicodeScalars.count
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].unicodeScalars.count
            guard used + size <= budget else { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end]) + marker
    }
}
