/// A commit's identity and the metadata status and logs show.
public struct CommitInfo: Sendable, Hashable {
    /// The full 40-hex SHA.
    public var sha: String
    /// The first line of the message.
    public var subject: String
    public var authorName: String
    public var authorEmail: String
    /// Author time, seconds since 1970.
    public var authorTime: Int64
    /// Author time zone offset from UTC, in minutes.
    public var authorTimeZoneOffset: Int

    public init(sha: String, subject: String, authorName: String, authorEmail: String, authorTime: Int64, authorTimeZoneOffset: Int) {
        self.sha = sha
        self.subject = subject
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.authorTimeZoneOffset = authorTimeZoneOffset
    }

    /// The abbreviated SHA people read in tables.
    public var shortSHA: String { String(sha.prefix(7)) }
}
