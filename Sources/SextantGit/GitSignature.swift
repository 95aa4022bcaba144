import Foundation

/// Who a commit is by: `Name <email>`, as Git writes it.
package struct GitSignature: Sendable, Hashable, CustomStringConvertible {
    package var name: String
    package var email: String

    package init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// The author of the commits Sextant writes when `--git-author` is not given.
    package static let sextant = GitSignature(name: "Sextant", email: "sextant@localhost")

    /// Reads `Name <email>`; nil when the text is not of that form.
    package init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return nil }
        let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        guard !name.isEmpty, !email.isEmpty, !email.contains("<"), !email.contains(" "),
              !(name + email).contains(where: \.isNewline) else { return nil }
        self.init(name: name, email: email)
    }

    package var description: String { "\(name) <\(email)>" }
}
