import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The advisory lock (`flock`) that makes one process the owner of a state directory for
/// its whole life. The kernel drops it when the process dies, so a killed daemon never
/// leaves a stale lock.
package final class StateDirectoryLock: Sendable {
    package let path: String
    private let descriptor: Int32

    /// Takes the lock of `directory` (creating the directory), or fails naming the
    /// process that holds it.
    package init(directory: String, command: String) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create state directory \(directory): \(error.localizedDescription)")
        }
        // Private to the daemon even when it existed with a wider mode (DESIGN §6).
        guard chmod(directory, 0o700) == 0 else {
            throw StoreError("cannot make state directory \(directory) private (mode 0700): \(String(cString: strerror(errno)))")
        }
        let path = directory + "/lock"
        // Stored only once locked: a throwing init of a fully initialised class runs deinit,
        // which would close the descriptor a second time (possibly someone else's by then).
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw StoreError("state directory \(directory) is in use by another sextant process"
                + (holder.isEmpty ? "" : " (\(holder))") + "; stop it, or give this one another --state-dir")
        }
        self.path = path
        self.descriptor = descriptor
        let owner = "pid \(getpid()): \(command)\n"
        _ = ftruncate(descriptor, 0)
        _ = owner.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        close(descriptor)  // releases the lock
    }
}

/// A failure of the state store, as one line saying what to do.
package struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
