import NIOHTTP1

/// GitHub's pulls API (REST, version 2022-11-28; docs.github.com/en/rest/pulls/pulls):
/// * list `GET /repos/{owner}/{repo}/pulls?head={owner}:{branch}&state=open` → 200, an array;
/// * create `POST /repos/{owner}/{repo}/pulls` → 201; 422 when the branch has one open;
/// * update `PATCH /repos/{owner}/{repo}/pulls/{pull_number}` → 200;
/// * get `GET /repos/{owner}/{repo}/pulls/{pull_number}` → 200.
/// Fields in `RepositoryPull`, `CreatePullBody`, `EditPullBody`.
struct GitHubPullRequests: PullRequestEndpoints {
    let transport: ForgeTransport
    let repository: ForgeRepository

    private var pulls: String {
        "/repos/\(ForgeTransport.escaped(repository.owner))/\(ForgeTransport.escaped(repository.name))/pulls"
    }

    func findOpen(sourceBranch: String) async throws(ForgeError) -> PullRequestRef? {
        let open = try await transport.call(.GET, pulls, query: [("head", "\(repository.owner):\(sourceBranch)"), ("state", "open")], as: [RepositoryPull].self)
        return open.first { $0.head.ref == sourceBranch }?.ref
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
