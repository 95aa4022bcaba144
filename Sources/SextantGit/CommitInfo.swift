/// A commit's identity and the metadata status and logs show.
package struct CommitInfo: Sendable, Hashable {
    /// The full 40-hex SHA.
    package var sha: String
    /// The first line of the message.
    package var subject: String
    package var authorName: String
    package var authorEmail: String
    /// Author time, seconds since 1970.
    package var authorTime: Int64
    /// Author time zone offset from UTC, in minutes.
    package var authorTimeZoneOffset: Int

    package init(sha: String, subject: String, authorName: String, authorEmail: String, authorTime: Int64, authorTimeZoneOffset: Int) {
        self.sha = sha
        self.subject = subject
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.authorTimeZoneOffset = authorTimeZoneOffset
    }

    /// The abbreviated SHA people read in tables.
    package var shortSHA: String { String(sha.prefix(7)) }
}
