package import Crypto
import Foundation

/// The secret the prediction log hashes classified inputs with (DESIGN §9):
/// `STATE/keys/prediction-log.key`, 32 random bytes made once (mode 0600) and kept, so the
/// same value hashes the same across restarts and joins and counts on it still work. The
/// gateway hashes logged requests with it, the daemon the reference samples drift compares
/// them with.
package struct PredictionLogKey: Sendable {
    package let key: SymmetricKey

    package init(key: SymmetricKey) {
        self.key = key
    }

    /// The key's file under a state directory.
    package static func path(state: String) -> String { state + "/keys/prediction-log.key" }

    /// Reads the key, or makes it when there is none. A file of another size is refused,
    /// never replaced: hashes already written were made with it. An empty file (a crash
    /// while an earlier Sextant made it) is taken for none.
    ///
    /// The key is written to a temporary file in `keys/`, synced, and linked to its name,
    /// so that a crash never leaves a partial key there; makers hold a lock on `keys/` so
    /// that two processes starting together agree on one key.
    package static func loadOrCreate(state: String) throws(PredictionLogKeyError) -> PredictionLogKey {
        let path = path(state: state)
        if let existing = try read(path) { return existing }
        let directory = (path as NSString).deletingLastPathComponent
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw PredictionLogKeyError(path: directory, problem: Self.lastError()) }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw PredictionLogKeyError(path: directory, problem: Self.lastError()) }
        defer { close(folder) }
        guard flock(folder, LOCK_EX) == 0 else { throw PredictionLogKeyError(path: directory, problem: "cannot lock it: \(Self.lastError())") }
        // Another process may have made it while this one waited for the lock.
        if let existing = try read(path) { return existing }
        if unlink(path) != 0 && errno != ENOENT { throw PredictionLogKeyError(path: path, problem: "cannot remove the empty file: \(Self.lastError())") }
        let key = SymmetricKey(size: .bits256)
        let temporary = directory + "/.prediction-log.key.\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw PredictionLogKeyError(path: temporary, problem: Self.lastError()) }
        defer { unlink(temporary) }
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = written == 32 && fsync(descriptor) == 0
        close(descriptor)
        guard synced else { throw PredictionLogKeyError(path: temporary, problem: "cannot write it: \(Self.lastError())") }
        guard link(temporary, path) == 0 else {
            // Made by a process that does not take the lock: use theirs.
            if errno == EEXIST, let existing = try read(path) { return existing }
            throw PredictionLogKeyError(path: path, problem: Self.lastError())
        }
        guard fsync(folder) == 0 else { throw PredictionLogKeyError(path: directory, problem: "cannot sync it: \(Self.lastError())") }
        return PredictionLogKey(key: key)
    }

    /// The key in `path`; nil when there is none or the file is empty.
    private static func read(_ path: String) throws(PredictionLogKeyError) -> PredictionLogKey? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        guard data.count == 32 else {
            throw PredictionLogKeyError(path: path, problem: "it holds \(data.count) bytes, not 32: restore it, or delete it to make a new key "
                + "(hashes made before then no longer match those made after)")
        }
        return PredictionLogKey(key: SymmetricKey(data: data))
    }

    /// `hmac:` and the first 16 bytes of HMAC-SHA256(key, value) in hex.
    package func hash(_ value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        var text = "hmac:"
        for byte in code.prefix(16) {
            text += String(byte, radix: 16).leftPadded()
        }
        return text
    }

    /// The text a number is hashed as, the same whatever carried it: `true`/`false` for a
    /// boolean, a whole number without a fraction (`48213`, whether sent as INT64, FP64 or
    /// written `48213.0` in a CSV), else the shortest form that reads back as the same `Double`.
    package static func text(_ value: Double, boolean: Bool = false) -> String {
        if boolean { return value != 0 ? "true" : "false" }
        if let whole = Int64(exactly: value) { return String(whole) }
        return String(value)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// The key file cannot be read or made: classified inputs are then never written.
package struct PredictionLogKeyError: Error, CustomStringConvertible {
    package var path: String
    package var problem: String
    package var description: String { "prediction log key \(path): \(problem)" }
}

extension String {
    /// Two hex digits.
    fileprivate func leftPadded() -> String { count == 1 ? "0" + self : self }
}
