public import Foundation

/// The head of the followed branch, as one fetch found it.
public struct SourceRevision: Sendable, Hashable, Codable {
    public var commit: String
    public var subject: String
    public var authorTime: Date

    public init(commit: String, subject: String, authorTime: Date) {
        self.commit = commit
        self.subject = subject
        self.authorTime = authorTime
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
