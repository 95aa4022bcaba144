package import Foundation

/// The head of the followed branch, as one fetch found it.
package struct SourceRevision: Sendable, Hashable, Codable {
    package var commit: String
    package var subject: String
    package var authorTime: Date
    /// The previous head, when this fetch moved the branch to a commit that does not
    /// contain it (a force push).
    package var replaced: String?

    package init(commit: String, subject: String, authorTime: Date, replaced: String? = nil) {
        self.commit = commit
        self.subject = subject
        self.authorTime = authorTime
        self.replaced = replaced
    }
}

/// A fetch or a load that failed: the remote is unreachable, the branch is gone, a
/// commit's tree cannot be read.
package struct SourceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
