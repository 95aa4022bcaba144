package import NIOHTTP1

/// Why a request was refused by the `HTTPLimits` of its server, with the status and the
/// message of its answer (`{"error": message}`). It is also the error the rest of a
/// pipeline sees in place of the rest of a refused request's body.
package struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Reason: String, Sendable, CaseIterable {
        /// Over `maxRequestBytes` (413).
        case tooLarge = "too_large"
        /// The head was not complete in time (408).
        case headerTimeout = "header_timeout"
        /// The body stopped arriving (408).
        case bodyTimeout = "body_timeout"
        /// The parser refused the request (400).
        case malformed
    }

    package let reason: Reason
    /// What the client is told, naming the limit (and its flag).
    package let message: String

    /// 413, 408 or 400.
    package var status: HTTPResponseStatus {
        switch reason {
        case .tooLarge: .payloadTooLarge
        case .headerTimeout, .bodyTimeout: .requestTimeout
        case .malformed: .badRequest
        }
    }

    package var description: String { "\(status.code): \(message)" }

    package init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
