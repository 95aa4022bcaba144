public import Foundation

/// The head of the followed branch, as one fetch found it.
public struct SourceRevision: Sendable, Hashable, Codable {
    public var commit: String
    public var subject: String
    public var authorTime: Date
    /// The previous head, when this fetch moved the branch to a commit that does not
    /// contain it (a force push).
    public var replaced: String?

    public init(commit: String, subject: String, authorTime: Date, replaced: String? = nil) {
        self.commit = commit
        self.subject = subject
        self.authorTime = authorTime
        self.replaced = replaced
    }
}

/// A fetch or a load that failed: the remote is unreachable, the branch is gone, a
/// commit's tree cannot be read.
public struct SourceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
