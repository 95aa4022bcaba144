package import Foundation
import SextantAPI

/// Why Sextant writes to Git (DESIGN §8): one branch per model and purpose,
/// `sextant/<purpose>/<model>`, updated in place.
package enum ChangePurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// A retrained candidate's new dataset pin.
    case retrain
    /// The Model as it was when an earlier version served.
    case rollback

    package func branch(model: String) -> String { "sextant/\(rawValue)/\(model)" }
}

/// One edit of the repository's files, relative to the proposal's base commit. Paths are
/// the repository's; fields are dotted paths into a YAML document (`spec.source.sha256`).
package enum FileEdit: Sendable, Hashable, Codable {
    /// Set one scalar of a YAML file, keeping every other byte.
    case setScalar(file: String, field: String, value: String)
    /// Replace a YAML node with the same node of the file at another commit (re-indented).
    case restoreNode(file: String, field: String, commit: String)
    /// Replace a whole file with its bytes at another commit.
    case restoreFile(file: String, commit: String)
    /// Write a whole file with the bytes of a local file (a training table).
    case writeFile(file: String, localPath: String)

    package var file: String {
        switch self {
        case .setScalar(let file, _, _), .restoreNode(let file, _, _), .restoreFile(let file, _), .writeFile(let file, _): file
        }
    }

    /// One line for messages and the pull request body.
    package var summary: String {
        switch self {
        case .setScalar(let file, let field, let value): "\(file): \(field) = \(value)"
        case .restoreNode(let file, let field, let commit): "\(file): \(field) as at \(commit.prefix(7))"
        case .restoreFile(let file, let commit): "\(file) as at \(commit.prefix(7))"
        case .writeFile(let file, _): "\(file): the new table"
        }
    }
}

/// A change Sextant proposes to Git: edits committed on the purpose's branch, pushed, and
/// (with a forge) a pull request whose body is the evidence.
package struct ProposedChange: Sendable, Hashable, Codable {
    package var purpose: ChangePurpose
    package var model: String
    /// The followed branch's commit the edits apply to.
    package var baseCommit: String
    /// The commit message's subject and the pull request's title.
    package var title: String
    /// Markdown: why, with its evidence (the pull request's body, the commit message's body).
    package var body: String
    package var edits: [FileEdit]
    package var requestedAt: Date
    /// Whether a forge's pull request is opened for the branch (`promotion: branch`: no).
    package var openPullRequest: Bool

    package init(purpose: ChangePurpose, model: String, baseCommit: String, title: String, body: String, edits: [FileEdit], requestedAt: Date,
                 openPullRequest: Bool = true) {
        self.purpose = purpose
        self.model = model
        self.baseCommit = baseCommit
        self.title = title
        self.body = body
        self.edits = edits
        self.requestedAt = requestedAt
        self.openPullRequest = openPullRequest
    }

    package var branch: String { purpose.branch(model: model) }

    package var fingerprint: String {
        Fingerprint.of("propose/1", [purpose.rawValue, model, baseCommit, title, body] + edits.map(\.summary) + [requestedAt.timeIntervalSince1970.description])
    }
}

/// A pushed branch and its pull request, as status lists them (`pullRequests`).
package struct PullRequestRecord: Sendable, Hashable, Codable {
    package enum State: String, Sendable, Hashable, Codable {
        /// The branch is pushed; no forge is configured (or `promotion: branch`).
        case pushed
        case open, merged, closed
    }

    package var purpose: ChangePurpose
    package var branch: String
    package var headCommit: String
    package var url: String?
    package var number: Int?
    package var state: State
    package var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case purpose, branch, headCommit, url, number, state, updatedAt
    }

    /// Every key, `url` and `number` null without a pull request (status JSON, DESIGN §8).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(branch, forKey: .branch)
        try container.encode(headCommit, forKey: .headCommit)
        try container.encode(url, forKey: .url)
        try container.encode(number, forKey: .number)
        try container.encode(state, forKey: .state)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    package init(purpose: ChangePurpose, branch: String, headCommit: String, url: String? = nil, number: Int? = nil, state: State, updatedAt: Date) {
        self.purpose = purpose
        self.branch = branch
        self.headCommit = headCommit
        self.url = url
        self.number = number
        self.state = state
        self.updatedAt = updatedAt
    }
}

/// Writes proposals to Git (DESIGN §8): validates the edited tree, commits on the branch,
/// pushes it, opens or updates the pull request. The runtime's side; Core only asks.
package protocol ChangeProposer: Sendable {
    /// - Throws: a failure to retry (a refused push, an unreachable forge) without a
    ///   `reason`; one a person must fix (the edited tree does not validate) with one.
    func propose(_ change: ProposedChange) async throws(ActionError) -> PullRequestRecord
}
