/// The pull requests (merge requests on GitLab) of one forge repository. One open pull
/// request per source branch: `openOrUpdate` finds it and updates its title and body in
/// place, and opens one only when there is none, so a branch never gets two.
package protocol PullRequests: Sendable {
    /// Opens a pull request from `draft.sourceBranch`, or updates the open one. The title
    /// and body are cut to the forge's limits first (`PullRequestDraft.limited`).
    func openOrUpdate(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef

    /// The pull request as the forge has it now: whether it was merged or closed since.
    func state(of pullRequest: PullRequestRef) async throws(ForgeError) -> PullRequestRef
}

/// What a pull request should say, and between which branches.
package struct PullRequestDraft: Sendable, Equatable {
    /// The branch Sextant pushed, `sextant/<purpose>/<model>`.
    package var sourceBranch: String
    /// The branch it would merge into: the branch Sextant follows.
    package var targetBranch: String
    package var title: String
    /// Markdown.
    package var body: String

    package init(sourceBranch: String, targetBranch: String, title: String, body: String) {
        self.sourceBranch = sourceBranch
        self.targetBranch = targetBranch
        self.title = title
        self.body = body
    }
}

/// A pull request as the forge answered for it.
package struct PullRequestRef: Sendable, Equatable, Codable {
    /// The number users see: `#12` on GitHub and Gitea, the `iid` (`!12`) on GitLab.
    package var number: Int
    /// Its web page.
    package var url: String
    package var state: PullRequestState
    /// The source branch's head commit, when the forge's answer says it.
    package var headCommit: String?

    package init(number: Int, url: String, state: PullRequestState, headCommit: String? = nil) {
        self.number = number
        self.url = url
        self.state = state
        self.headCommit = headCommit
    }
}

/// Where a pull request stands.
package enum PullRequestState: String, Sendable, Codable {
    case open, merged, closed
}
