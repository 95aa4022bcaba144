import Foundation

/// The three calls each forge answers in its own paths and shapes; finding, opening and
/// updating in place is the same on all of them.
protocol PullRequestEndpoints: PullRequests {
    /// The open pull request from `sourceBranch` of this repository (not a fork's), if any.
    func findOpen(sourceBranch: String) async throws(ForgeError) -> PullRequestRef?
    func create(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef
    /// Sets the title and body of pull request `number`; its branches stay.
    func update(_ number: Int, to draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef
}

extension PullRequestEndpoints {
    func openOrUpdate(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestRef {
        let draft = draft.limited
        if let open = try await findOpen(sourceBranch: draft.sourceBranch) {
            return try await update(open.number, to: draft)
        }
        do throws(ForgeError) {
            return try await create(draft)
        } catch where error.isAlreadyOpen {
            // Someone opened one between the look-up and the create: update theirs.
            guard let open = try await findOpen(sourceBranch: draft.sourceBranch) else { throw error }
            return try await update(open.number, to: draft)
        }
    }
}

extension ForgeError {
    /// The create was refused because the branch has an open pull request: GitHub answers
    /// 422 "A pull request already exists for acme:branch.", GitLab 409 "Another open merge
    /// request already exists for this source branch", Gitea 409 "pull request already
    /// exists for these targets".
    var isAlreadyOpen: Bool {
        (status == 409 || status == 422) && detail.localizedCaseInsensitiveContains("already exist")
    }
}
