public import NIOHTTP1

/// Why a request was refused by the `HTTPLimits` of its server, with the status and the
/// message of its answer (`{"error": message}`). It is also the error the rest of a
/// pipeline sees in place of the rest of a refused request's body.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// Over `maxRequestBytes` (413).
        case tooLarge = "too_large"
        /// The head was not complete in time (408).
        case headerTimeout = "header_timeout"
        /// The body stopped arriving (408).
        case bodyTimeout = "body_timeout"
        /// The parser refused the request (400).
        case malformed
    }

    public let reason: Reason
    public let message: String

    public var status: HTTPResponseStatus {
        switch reason {
        case .tooLarge: .payloadTooLarge
        case .headerTimeout, .bodyTimeout: .requestTimeout
        case .malformed: .badRequest
        }
    }

    public var description: String { "\(status.code): \(message)" }

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
