/// Where Sextant's pull requests go (`--forge`, `--forge-url`, `--forge-token-file`,
/// `--forge-repo`), checked and with the token read: `pullRequests()` makes the client.
package struct ForgeConfiguration: Sendable, CustomStringConvertible {
    package var kind: ForgeKind
    /// The API base, without a trailing slash: `https://api.github.com`,
    /// `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`.
    package var apiURL: String
    package var repository: ForgeRepository
    package var token: ForgeToken

    package init(kind: ForgeKind, apiURL: String, repository: ForgeRepository, token: ForgeToken) {
        self.kind = kind
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.repository = repository
        self.token = token
    }

    /// `github acme/models at https://api.github.com` (never the token).
    package var description: String { "\(kind.rawValue) \(repository) at \(apiURL)" }

    /// The client of this forge's pull requests (merge requests on GitLab).
    package func pullRequests() -> any PullRequests {
        let transport = ForgeTransport(configuration: self)
        switch kind {
        case .github: return GitHubPullRequests(transport: transport, repository: repository)
        case .gitlab: return GitLabMergeRequests(transport: transport, repository: repository)
        case .gitea: return GiteaPullRequests(transport: transport, repository: repository)
        }
    }
}
