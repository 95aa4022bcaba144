/// A forge call that failed, as one line: the forge, the method and URL (never the token),
/// the HTTP status with the forge's own message, and what to check. `isRetryable` tells the
/// caller (the reconciler, which owns the backoff) whether trying again may help.
package struct ForgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    package enum Failure: Sendable, Equatable {
        /// The forge answered with this HTTP status (not 2xx).
        case status(Int)
        /// No answer: refused, unresolvable, TLS, or no answer in time.
        case unreachable
        /// A 2xx answer that is not the documented shape.
        case unexpectedAnswer
    }

    package var forge: ForgeKind
    /// `GET`, `POST`, `PATCH`, `PUT`.
    package var method: String
    package var url: String
    package var failure: Failure
    /// The forge's message (its `message` field and any `errors`), or why there was no answer.
    package var detail: String
    /// 5xx, 429, a rate limit, no answer: worth another try later. Other 4xx are not.
    package var isRetryable: Bool

    package init(forge: ForgeKind, method: String, url: String, failure: Failure, detail: String, isRetryable: Bool) {
        self.forge = forge
        self.method = method
        self.url = url
        self.failure = failure
        self.detail = detail
        self.isRetryable = isRetryable
    }

    /// The HTTP status, when the forge answered.
    package var status: Int? {
        if case .status(let status) = failure { status } else { nil }
    }

    /// `GitHub POST https://api.github.com/repos/acme/models/pulls: HTTP 401 (Bad credentials): check --forge-token-file …`
    package var description: String {
        let call = "\(forge.displayName) \(method) \(url)"
        switch failure {
        case .unreachable:
            return "\(call): no answer (\(detail))"
        case .unexpectedAnswer:
            return "\(call): \(detail)"
        case .status(let status):
            let said = detail.isEmpty ? "" : " (\(detail))"
            return "\(call): HTTP \(status)\(said)" + (advice(status).map { ": \($0)" } ?? "")
        }
    }

    /// What to check, for the statuses a user can act on.
    private func advice(_ status: Int) -> String? {
        switch status {
        case _ where isRetryable && status < 500: "rate limited; tried again later"
        case 401, 403: "check --forge-token-file (the token may be wrong, expired, or lack the scopes docs/operations.md lists)"
        case 404: "check --forge-repo and --forge-url (a token that cannot see a private repository gets 404 too)"
        case 300..<400: "the forge redirects; set --forge-url (or --forge-repo, for a renamed repository) to where it points"
        default: nil
        }
    }
}
