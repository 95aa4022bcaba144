import Foundation

/// Proposals to Git (DESIGN §8): queued in the model's observation until written, so a
/// restart or a refused push loses none; written ones become `pullRequests`.
extension Change {
    mutating func queued(_ proposal: ProposedChange, actor: String) {
        // One branch per purpose, updated in place: a newer proposal replaces the waiting one.
        state.proposals.removeAll { $0.purpose == proposal.purpose }
        state.proposals.append(proposal)
        output = proposal.branch
        switch proposal.purpose {
        case .rollback:
            event(.rollbackRequested, "\(proposal.title): proposed on \(proposal.branch) from \(proposal.baseCommit.prefix(7))", actor: actor)
        case .retrain:
            break  // The candidate's own event (CandidateReady) says why.
        }
    }

    mutating func proposed(_ proposal: ProposedChange, _ record: PullRequestRecord) {
        state.proposals.removeAll { $0 == proposal }
        let previous = state.pullRequests.first { $0.purpose == record.purpose }
        state.pullRequests.removeAll { $0.purpose == record.purpose }
        state.pullRequests.append(record)
        state.pullRequests.sort { $0.purpose.rawValue < $1.purpose.rawValue }
        output = "\(record.branch) at \(record.headCommit.prefix(7))" + (record.url.map { " \($0)" } ?? "")
        let head = "\(record.branch) at \(record.headCommit.prefix(7)) (\(proposal.title))"
        switch (record.url, record.number) {
        case (let url?, let number?) where previous?.number == number && previous?.state == .open:
            event(.pullRequestUpdated, "pull request #\(number) updated: \(head); \(url)")
        case (let url?, let number?):
            event(.pullRequestOpened, "pull request #\(number) opened: \(head); \(url)")
        default:
            event(.branchPushed, "pushed \(head); no pull request (no forge configured, or promotion: branch)")
        }
    }

    mutating func merged(_ record: PullRequestRecord, into commit: String) {
        guard let index = state.pullRequests.firstIndex(where: { $0.branch == record.branch && $0.headCommit == record.headCommit }) else { return }
        state.pullRequests[index].state = .merged
        state.pullRequests[index].updatedAt = now
        output = "\(record.branch) merged"
        let pull = record.number.map { "pull request #\($0) (\(record.branch))" } ?? record.branch
        event(.branchMerged, "\(pull) at \(record.headCommit.prefix(7)) is merged: \(commit.prefix(7)) contains it")
    }

    /// A proposal that cannot be written as it is (the edited tree does not validate, a
    /// field to restore is gone): dropped, said so; retrying would fail the same way.
    mutating func rejected(_ proposal: ProposedChange, _ error: ActionError) {
        state.proposals.removeAll { $0 == proposal }
        succeeded = false
        output = error.message
        event(.proposalRejected, "\(proposal.branch) not written: \(error.message)")
    }
}
