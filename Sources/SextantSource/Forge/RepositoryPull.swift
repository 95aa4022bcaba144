/// The pull request object GitHub documents and Gitea copies, in the fields Sextant reads.
///
/// GitHub (docs.github.com/en/rest/pulls/pulls, "pull-request" and "pull-request-simple"):
/// `number`, `html_url`, `state` (`open`|`closed`), `merged` (only on a single pull
/// request), `merged_at` (null until merged), `head.ref`, `head.sha`.
/// Gitea (modules/structs/pull.go `PullRequest`, swagger `PullRequest`): the same names,
/// `merged` on every answer, and `head.repo_id`/`base.repo_id` (`PRBranchInfo`).
struct RepositoryPull: Decodable {
    struct Branch: Decodable {
        var ref: String
        var sha: String?
        var repo_id: Int?
    }

    var number: Int
    var html_url: String
    var state: String
    var merged: Bool?
    var merged_at: String?
    var head: Branch
    var base: Branch?

    var ref: PullRequestRef {
        let state: PullRequestState = merged == true || merged_at != nil ? .merged : self.state == "closed" ? .closed : .open
        return PullRequestRef(number: number, url: html_url, state: state, headCommit: head.sha)
    }
}

/// `POST /repos/{owner}/{repo}/pulls`: GitHub's body parameters `title`, `head`, `base`,
/// `body` (besides `head_repo`, `issue`, `draft`, `maintainer_can_modify`); Gitea's
/// `CreatePullRequestOption` has the same four (`head`, `base`, `title` required).
struct CreatePullBody: Encodable {
    var title: String
    var head: String
    var base: String
    var body: String
}

/// `PATCH /repos/{owner}/{repo}/pulls/{number}`: GitHub's `title`, `body` (besides
/// `state`, `base`, `maintainer_can_modify`); Gitea's `EditPullRequestOption` likewise.
struct EditPullBody: Encodable {
    var title: String
    var body: String
}
