/// The forges Sextant opens pull requests on (`--forge`).
package enum ForgeKind: String, CaseIterable, Sendable {
    case github, gitlab, gitea

    /// The forge's name in messages.
    package var displayName: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .gitea: "Gitea"
        }
    }

    /// The API base `--forge-url` defaults to; nil where every installation has its own
    /// (GitLab and Gitea are self-hosted as often as not).
    package var defaultAPIURL: String? {
        self == .github ? "https://api.github.com" : nil
    }

    /// What `--forge-url` looks like for this forge, for messages and docs.
    package var apiURLExample: String {
        switch self {
        case .github: "https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server"
        case .gitlab: "https://gitlab.example.com/api/v4"
        case .gitea: "https://gitea.example.com/api/v1"
        }
    }
}
