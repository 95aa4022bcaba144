import Crypto
import Foundation

/// Content fingerprints: SHA-256, as lowercase hex. What the journal keys actions by, so a
/// restarted daemon recognises work it already finished.
package enum Fingerprint {
    /// The SHA-256 of bytes, as `sha256sum` prints it.
    package static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    /// The SHA-256 of a value's canonical JSON (sorted keys, no whitespace), under a label
    /// that names the algorithm and its version: a change of either gives new fingerprints.
    package static func of(_ label: String, _ value: some Encodable) -> String {
        sha256(Array(label.utf8) + [0] + canonicalJSON(value))
    }

    /// Sorted keys, no whitespace, slashes unescaped; a non-finite number (a manifest's
    /// `.inf` or `.nan`, which JSON has no word for) as the string `Infinity`, `-Infinity` or
    /// `NaN`.
    package static func canonicalJSON(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // Only Sextant's own types are fingerprinted, and with non-finite numbers written as
        // strings every value of them encodes: one that cannot is a bug, and hashing an empty
        // input instead would hide changes.
        return Array(try! encoder.encode(value))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Hashes a large input piece by piece (a data file read in chunks).
package struct StreamingSHA256 {
    private var hasher = SHA256()

    package init() {}

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    package func finalize() -> String {
        Fingerprint.hex(hasher.finalize())
    }
}
