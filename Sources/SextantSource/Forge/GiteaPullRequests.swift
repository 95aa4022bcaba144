import NIOHTTP1

/// Gitea's pulls API (`/api/v1`, swagger operations repoListPullRequests,
/// repoCreatePullRequest, repoEditPullRequest, repoGetPullRequest):
/// * list `GET /repos/{owner}/{repo}/pulls?state=open&page=N&limit=50` → 200, an array
///   (no filter by branch on every version, so pages are read until the branch's turns up);
/// * create `POST /repos/{owner}/{repo}/pulls` (`CreatePullRequestOption`) → 201; 409 when
///   the branch has one open;
/// * update `PATCH /repos/{owner}/{repo}/pulls/{index}` (`EditPullRequestOption`) → 201;
/// * get `GET /repos/{owner}/{repo}/pulls/{index}` → 200.
/// Fields in `RepositoryPull`, `CreatePullBody`, `EditPullBody`. Forgejo answers the same.
struct GiteaPullRequests: PullRequestEndpoints {
    let transport: ForgeTransport
    let repository: ForgeRepository

    /// Gitea's default `MAX_RESPONSE_ITEMS`; an instance set lower answers shorter pages.
    static let pageSize = 50
    /// Pages read before giving up: 5,000 open pull requests.
    static let maxPages = 100

    private var pulls: String {
        "/repos/\(ForgeTransport.escaped(repository.owner))/\(ForgeTransport.escaped(repository.name))/pulls"
    }

    func findOpen(sourceBranch: String) async throws(ForgeError) -> PullRequestRef? {
        for page in 1...Self.maxPages {
            let open = try await transport.call(.GET, pulls, query: [("state", "open"), ("page", "\(page)"), ("limit", "\(Self.pageSize)")], as: [RepositoryPull].self)
            // A pull request from a fork's branch of the same name has another head repository.
            if let pull = open.first(where: { $0.head.ref == sourceBranch && ($0.head.repo_id == nil || $0.head.repo_id == $0.base?.repo_id) }) {
                return pull.ref
            }
            // An empty page is the end; a short one may only be the instance's page size.
            if open.isEmpty { break }
        }
        return nil
    }

    func create(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef {
        let body = CreatePullBody(title: draft.title, head: draft.sourceBranch, base: draft.targetBranch, body: draft.body)
        return try await transport.call(.POST, pulls, body: body, as: RepositoryPull.self).ref
    }

    func update(_ number: Int, to draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef {
        try await transport.call(.PATCH, "\(pulls)/\(number)", body: EditPullBody(title: draft.title, body: draft.body), as: RepositoryPull.self).ref
    }

    func state(of pullRequest: PullRequestRef) async throws(ForgeError) -> PullRequestRef {
        try await transport.call(.GET, "\(pulls)/\(pullRequest.number)", as: RepositoryPull.self).ref
    }
}
