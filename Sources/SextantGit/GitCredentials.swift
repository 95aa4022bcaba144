package import Foundation

/// What Sextant presents when it pushes: read once from `--git-credentials-file`, kept in
/// memory, never logged (its description hides the secret) and never put in a child's
/// environment.
package enum GitCredentials: Sendable, Hashable, CustomStringConvertible {
    /// No secret: `file://` remotes, `git://`, or what the URL itself carries.
    case none
    /// An HTTPS token, sent as the password of HTTP basic authentication. Without a user,
    /// the URL's user name is used, else `x-access-token` (GitHub, Gitea and GitLab accept
    /// any user name with a token).
    case token(user: String?, token: String)
    /// An SSH private key (PEM or OpenSSH format), used for `ssh://` and `user@host:path`
    /// remotes as the URL's user (`git` when the URL names none).
    case sshKey(privateKey: String)

    /// Reads a credentials file; see `parse(_:file:)` for its format.
    ///
    /// - Throws: `GitError` naming the file (never its content) when it cannot be read or
    ///   holds no secret.
    package static func read(from path: String) throws(GitError) -> GitCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw GitError(operation: "read git credentials \(path)", code: 0, message: exists ? "the file cannot be read; check its permissions" : "no such file")
        }
        return try parse(data, file: path)
    }

    /// A credentials file's content: an SSH private key (`-----BEGIN … PRIVATE KEY-----`),
    /// or one line holding a token or `user:token`. Blank lines and `#` comment lines are
    /// skipped.
    ///
    /// - Throws: `GitError` naming the file (never its content) when it holds no secret.
    package static func parse(_ data: Data, file: String) throws(GitError) -> GitCredentials {
        let operation = "read git credentials \(file)"
        guard let text = String(data: data, encoding: .utf8) else {
            throw GitError(operation: operation, code: 0, message: "the file is not UTF-8 text")
        }
        if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
            return .sshKey(privateKey: text.hasSuffix("\n") ? text : text + "\n")
        }
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, let line = lines.first else {
            throw GitError(operation: operation, code: 0,
                           message: lines.isEmpty ? "the file holds no token; write a token or user:token on one line, or an SSH private key"
                                                  : "the file holds \(lines.count) lines; write one token or user:token line, or an SSH private key")
        }
        if let colon = line.firstIndex(of: ":") {
            let user = String(line[..<colon])
            let token = String(line[line.index(after: colon)...])
            guard !user.isEmpty, !token.isEmpty else {
                throw GitError(operation: operation, code: 0, message: "write user:token with both parts, or the token alone")
            }
            return .token(user: user, token: token)
        }
        return .token(user: nil, token: line)
    }

    /// What the credentials are, without the secret.
    package var description: String {
        switch self {
        case .none: return "none"
        case .token(let user, _): return "token" + (user.map { " for \($0)" } ?? "")
        case .sshKey: return "SSH private key"
        }
    }
}
