import Foundation

/// The repository pull requests are opened on: `OWNER/NAME` on GitHub and Gitea, the
/// project's full path (`group/subgroup/project`) on GitLab.
package struct ForgeRepository: Sendable, Equatable, CustomStringConvertible {
    /// The path's components: owner (or top group) first, the repository's name last.
    package let components: [String]

    /// `acme/models` (`--forge-repo`); nil unless it has at least two non-empty components.
    package init?(path: String) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard components.count >= 2, components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        self.components = components
    }

    /// The owner on GitHub and Gitea (a user or an organization).
    package var owner: String { components[0] }
    /// The repository's name.
    package var name: String { components[components.count - 1] }
    /// `owner/name` (or the GitLab project's full path).
    package var path: String { components.joined(separator: "/") }
    package var description: String { path }

    /// Whether `kind` can address this repository: GitHub and Gitea have no subgroups.
    package func fits(_ kind: ForgeKind) -> Bool {
        kind == .gitlab || components.count == 2
    }

    /// The host and repository a Git remote URL names: `https://host/acme/models.git`,
    /// `git@host:acme/models.git`, `ssh://git@host:22/acme/models.git`. Nil for a local path
    /// or a URL without a repository path (then `--forge-repo` must say it).
    package static func remote(_ url: String) -> (host: String, repository: ForgeRepository)? {
        let host: String
        let path: String
        if url.contains("://") {
            guard let parsed = URLComponents(string: url), let name = parsed.host, !name.isEmpty, parsed.scheme != "file" else { return nil }
            host = name
            path = parsed.path
        } else if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), url[..<colon].contains("@") {
            // scp-like syntax, `user@host:path`: what `--repo` takes for ssh besides ssh://.
            let authority = url[..<colon]
            host = String(authority.split(separator: "@").last ?? authority)
            path = String(url[url.index(after: colon)...])
        } else {
            return nil
        }
        var trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if trimmed.hasSuffix(".git") { trimmed.removeLast(4) }
        guard !host.isEmpty, let repository = ForgeRepository(path: trimmed) else { return nil }
        return (host, repository)
    }
}
