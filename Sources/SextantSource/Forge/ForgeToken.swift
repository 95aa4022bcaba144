/// The forge's API token (`--forge-token-file`): kept out of every description, so a log
/// line or an error that prints a configuration cannot print the token.
package struct ForgeToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token as the forge's auth header carries it.
    package let value: String

    /// A token is visible ASCII only: anything else (a newline, a space) could split or
    /// end the header that carries it. Nil for such bytes.
    package init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        value = String(decoding: bytes, as: UTF8.self)
    }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
}
