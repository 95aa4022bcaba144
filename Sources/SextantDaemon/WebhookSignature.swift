import Crypto
import Foundation

/// GitHub-style push webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
/// the body>`, keyed with the shared secret (Gitea and GitLab-compatible senders use it too).
package struct WebhookSignature: Sendable {
    private let key: SymmetricKey

    package init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    /// The header value a sender computes for `body`.
    package func sign(_ body: [UInt8]) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: key).map { String(format: "%02x", $0) }.joined()
    }

    /// True when `header` is the signature of `body`; compared in constant time.
    package func verify(_ header: String?, body: [UInt8]) -> Bool {
        guard let header, header.hasPrefix("sha256="), let digest = Self.bytes(fromHex: header.dropFirst("sha256=".count)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(digest, authenticating: body, using: key)
    }

    private static func bytes(fromHex hex: Substring) -> [UInt8]? {
        guard hex.utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = nibble(high), let l = nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
