#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Who runs the repository's code — external trainers, and serving commands for live
/// traffic and for evaluation — when the daemon is root (DESIGN §6): another user
/// (`--run-as`, default `nobody`), in directories that user owns under a work directory
/// outside the private state directory. That user can read neither the store, nor the
/// gateway's token, nor the daemon's environment; what it writes is read back as data.
///
/// The switch is made by util-linux's `setpriv` (real and effective ids, no supplementary
/// groups, `no_new_privs`), between `posix_spawn` and the command: `posix_spawn` cannot
/// change users, and a multithreaded daemon must not `fork` to do it itself.
package struct Sandbox: Sendable, Hashable {
    package let user: String
    package let uid: UInt32
    package let gid: UInt32
    /// Where run directories and serving commands' directories live: the user can reach
    /// it (mode 0711, owned by the daemon) but not list it.
    package let workDirectory: String
    let setpriv: String
    let env: String

    /// Looks the user up and prepares the work directory.
    /// - Throws: `SandboxError` naming the flag and what to do.
    /// - Parameter path: where to look for `setpriv` (default: this process's `PATH`).
    package init(user: String, workDirectory: String, path: String? = nil) throws(SandboxError) {
        guard let entry = Self.passwordEntry(user) else {
            throw SandboxError("--run-as \(user): no such user on this machine; create one (useradd --system \(user)) or name another, e.g. nobody")
        }
        guard entry.uid != 0 else {
            throw SandboxError("--run-as \(user): that user is root; repository code must not run as root (name another user, e.g. nobody)")
        }
        let setpriv = ProcessTable.resolve("setpriv", path: path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        guard access(setpriv, X_OK) == 0 else {
            throw SandboxError("--run-as \(user) needs setpriv (from util-linux) to switch users, and it is not on PATH; install util-linux")
        }
        self.user = user
        self.uid = entry.uid
        self.gid = entry.gid
        self.setpriv = setpriv
        env = ProcessTable.resolve("env", path: "/usr/bin:/bin")
        self.workDirectory = workDirectory
        try prepareWorkDirectory()
    }

    /// The command, run as the sandbox's user. `env` finds the command on `PATH` as that
    /// user sees it: setpriv searches `PATH` while it still holds root's capabilities, and
    /// would pick a program in a directory the user cannot enter (a pyenv shim under
    /// `/root`, say), which then fails to start.
    func wrap(_ command: [String]) -> [String] {
        [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--no-new-privs", "--", env, "--"] + command
    }

    /// Gives a directory the daemon prepared (and everything in it) to the sandbox's user,
    /// private to it. Symlinks are changed themselves, never followed.
    func handOver(_ directory: String) throws(SandboxError) {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw SandboxError("cannot hand \(directory) over to \(user): it cannot be listed")
        }
        var paths = [directory]
        while let relative = walker.nextObject() as? String { paths.append(directory + "/" + relative) }
        for path in paths where lchown(path, uid, gid) != 0 {
            throw SandboxError("cannot hand \(path) over to \(user): \(String(cString: strerror(errno)))")
        }
        guard chmod(directory, 0o700) == 0 else {
            throw SandboxError("cannot make \(directory) private to \(user): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `path` and the directories between `root` and it, owned by the daemon,
    /// mode 0711, whatever the umask: the user passes through them but cannot list them.
    func makeTraversable(_ path: String, below root: String) throws(SandboxError) {
        guard path.hasPrefix(root + "/") else { throw SandboxError("\(path) is not inside \(root)") }
        var current = root
        for component in path.dropFirst(root.count + 1).split(separator: "/") {
            current += "/" + component
            guard mkdir(current, 0o711) == 0 || errno == EEXIST else {
                throw SandboxError("cannot create \(current): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw SandboxError("\(current) is not a directory")
            }
            // Only the daemon's own directories are opened up; one the user owns stays its.
            if info.st_uid == getuid(), chmod(current, 0o711) != 0 {
                throw SandboxError("cannot set mode 0711 on \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The work directory, owned by the daemon, mode 0711: the user reaches its own
    /// directories inside by name without being able to list the others'. Every directory
    /// above it must let the user through.
    private func prepareWorkDirectory() throws(SandboxError) {
        do {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        } catch {
            throw SandboxError("--work-dir \(workDirectory): cannot create it: \(error.localizedDescription)")
        }
        guard chown(workDirectory, getuid(), getgid()) == 0, chmod(workDirectory, 0o711) == 0 else {
            throw SandboxError("--work-dir \(workDirectory): cannot set its owner and mode 0711: \(String(cString: strerror(errno)))")
        }
        var path = ""
        for component in workDirectory.split(separator: "/") {
            path += "/" + component
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let searchable = info.st_uid == uid ? info.st_mode & S_IXUSR != 0
                : info.st_gid == gid ? info.st_mode & S_IXGRP != 0 : info.st_mode & S_IXOTH != 0
            guard searchable else {
                throw SandboxError("--work-dir \(workDirectory): \(user) (uid \(uid)) cannot pass through \(path) (mode \(String(info.st_mode & 0o777, radix: 8))); "
                    + "choose a --work-dir whose parent directories others may search, e.g. /var/lib/sextant-work")
            }
        }
    }

    private static func passwordEntry(_ user: String) -> (uid: UInt32, gid: UInt32)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 << 10)
        let status = getpwnam_r(user, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }
}

/// A `--run-as` or `--work-dir` that cannot be used, as one line saying what to do.
package struct SandboxError: Error, Sendable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
