import NIOHTTP1

/// GitLab's merge requests API (`/api/v4`, docs.gitlab.com/api/merge_requests); the
/// project is addressed by its URL-encoded path (`acme%2Fmodels`):
/// * list `GET /projects/{id}/merge_requests?source_branch={branch}&state=opened` → 200, an array;
/// * create `POST /projects/{id}/merge_requests` → 201; 409 when the branch has one open;
/// * update `PUT /projects/{id}/merge_requests/{iid}` → 200;
/// * get `GET /projects/{id}/merge_requests/{iid}` → 200.
struct GitLabMergeRequests: PullRequestEndpoints {
    let transport: ForgeTransport
    let repository: ForgeRepository

    /// A merge request in the fields Sextant reads: `iid`, `web_url`, `state`
    /// (`opened`|`closed`|`locked`|`merged`), `sha` (the source branch's head),
    /// `source_branch`, `source_project_id`, `target_project_id`.
    struct MergeRequest: Decodable {
        var iid: Int
        var web_url: String
        var state: String
        var sha: String?
        var source_branch: String
        var source_project_id: Int?
        var target_project_id: Int?

        var ref: PullRequestRef {
            let state: PullRequestState = switch self.state {
            case "merged": .merged
            case "closed": .closed
            default: .open  // `opened`, and `locked` while it is being merged
            }
            return PullRequestRef(number: iid, url: web_url, state: state, headCommit: sha)
        }
    }

    /// Create: `source_branch`, `target_branch`, `title` (required), `description`.
    struct CreateBody: Encodable {
        var source_branch: String
        var target_branch: String
        var title: String
        var description: String
    }

    /// Update: `title`, `description`.
    struct UpdateBody: Encodable {
        var title: String
        var description: String
    }

    private var mergeRequests: String { "/projects/\(ForgeTransport.escaped(repository.path))/merge_requests" }

    func findOpen(sourceBranch: String) async throws(ForgeError) -> PullRequestRef? {
        let open = try await transport.call(.GET, mergeRequests, query: [("source_branch", sourceBranch), ("state", "opened")], as: [MergeRequest].self)
        // A merge request from a fork's branch of the same name has another source project.
        return open.first { $0.source_branch == sourceBranch && ($0.source_project_id == nil || $0.source_project_id == $0.target_project_id) }?.ref
    }

    func create(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef {
        let body = CreateBody(source_branch: draft.sourceBranch, target_branch: draft.targetBranch, title: draft.title, description: draft.body)
        return try await transport.call(.POST, mergeRequests, body: body, as: MergeRequest.self).ref
    }

    func update(_ number: Int, to draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef {
        try await transport.call(.PUT, "\(mergeRequests)/\(number)", body: UpdateBody(title: draft.title, description: draft.body), as: MergeRequest.self).ref
    }

    func state(of pullRequest: PullRequestRef) async throws(ForgeError) -> PullRequestRef {
        try await transport.call(.GET, "\(mergeRequests)/\(pullRequest.number)", as: MergeRequest.self).ref
    }
}
