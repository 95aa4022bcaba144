/// One failed call to a Ray cluster, as one line: the method and URL, the HTTP status (or
/// why no answer came), Ray's own error text, and what to check.
public struct RayError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `GET`, `PUT`, …
    public let method: String
    public let url: String
    /// The HTTP status of Ray's answer; nil when no answer came.
    public let status: Int?
    /// Ray's own words (the last line of its traceback), or why the call reached nobody.
    public let detail: String
    /// What the caller can do about it.
    public let hint: String?

    public init(method: String, url: String, status: Int?, detail: String, hint: String? = nil) {
        self.method = method
        self.url = url
        self.status = status
        self.detail = detail
        self.hint = hint
    }

    /// `POST http://127.0.0.1:8265/api/jobs/: HTTP 500: ValueError: Job with submission_id t1 already exists. …`
    public var description: String {
        let answer = status.map { "HTTP \($0): \(detail)" } ?? detail
        return "\(method) \(url): \(answer)" + (hint.map { " (\($0))" } ?? "")
    }
}
