import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file holding a secret (a token, a password, a key), named by a flag. Like ssh with a
/// private key, a file that group or others may read is refused: the secret may already
/// have leaked. Errors name the flag, the path and what to do; never the secret.
package enum SecretFile {
    package struct Failure: Error, Sendable, Equatable {
        package var message: String
    }

    /// The file's bytes, trailing newlines dropped.
    ///
    /// - Parameters:
    ///   - flag: the flag that named it (`--store-password-file`).
    ///   - what: what it holds, for the advice (`password`, `secret`).
    package static func read(_ path: String, flag: String, what: String = "secret") throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Failure(message: "\(flag) \(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw Failure(message: "\(flag) \(path): not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            let advice = what == "password" ? "change the password" : "replace the \(what)"
            throw Failure(message: "\(flag) \(path): permissions \(String(info.st_mode & 0o777, radix: 8)) are too open (group or others may read it); "
                + "run `chmod 600 \(path)`, and \(advice) if others could read it")
        }
        guard info.st_size <= 64 << 10 else { throw Failure(message: "\(flag) \(path): \(info.st_size) bytes is not a \(what) (at most 64 KiB)") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw Failure(message: "\(flag) \(path): the file is empty") }
        return bytes
    }
}
