#if canImport(Glibc)
import Glibc
#endif
import Foundation
package import SextantCore
import Synchronization

/// A process as the kernel knows it: its pid and its start time, so a pid the kernel
/// reused for another process is never signalled.
struct ProcessIdentity: Sendable, Hashable, Codable {
    var pid: Int32
    var startTime: UInt64

    /// The start time of a live (not zombie) process, from `/proc/PID/stat`.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = ProcessStat.read(pid), stat.isLive else { return nil }
        return stat.startTime
    }

    static func of(_ pid: Int32) -> ProcessIdentity? {
        startTime(of: pid).map { ProcessIdentity(pid: pid, startTime: $0) }
    }

    var isAlive: Bool { Self.startTime(of: pid) == startTime }

    /// Whether the process, or anything left of the process group it led, still runs.
    var isRunning: Bool { isAlive || !leftovers.isEmpty }

    /// The live members of the process group this process led, once it has exited (what it
    /// started and did not stop). While one of them lives the kernel does not give the
    /// group's number to a new process, so they are this group's, unless the number was
    /// reused after the whole group ended: a live process of that pid that is not this one
    /// says so, and then nothing is left.
    var leftovers: [Int32] {
        guard !isAlive, Self.startTime(of: pid) == nil else { return [] }
        return ProcessStat.all().filter { $0.pid != pid && $0.isLive && $0.processGroup == pid && $0.startTime >= startTime }.map(\.pid)
    }

    /// SIGTERM to the process group, then SIGKILL after `grace` on `clock`: whatever the
    /// process started stops with it, also when the process itself has already exited.
    ///
    /// A stop is cleanup: it runs to its end also when the task asking is cancelled (a
    /// cancelled training's trainer still gets its grace to exit), so it waits in a task of
    /// its own, which the caller's cancellation does not reach.
    func stop(grace: Duration, clock: any WallClock) async {
        guard isRunning else { return }
        signal(SIGTERM)
        await Task {
            let deadline = clock.deadline(after: grace)
            while isRunning, clock.now() < deadline { try? await clock.sleep(for: .milliseconds(50)) }
            guard isRunning else { return }
            signal(SIGKILL)
            // The kernel ends a killed group at once; a moment for /proc to say so.
            let killed = clock.deadline(after: .seconds(1))
            while isRunning, clock.now() < killed { try? await clock.sleep(for: .milliseconds(25)) }
        }.value
    }

    /// Signals the process's group (it leads one: `ProcessTable.spawn` starts children that
    /// way), or the process alone; once it has exited, what is left of its group.
    func signal(_ signal: Int32) {
        if isAlive {
            if getpgid(pid) == pid { kill(-pid, signal) } else { kill(pid, signal) }
        } else if !leftovers.isEmpty {
            kill(-pid, signal)
        }
    }
}

/// The processes a runtime started, each with a file under `STATE/processes/`, so that a
/// restarted daemon (or `sextant down`) finds every one of them: none is left orphaned.
package struct ProcessTable: Sendable {
    package let directory: String
    /// What stops wait on.
    let clock: any WallClock

    package init(stateDirectory: String, clock: any WallClock = SystemClock()) {
        directory = stateDirectory + "/processes"
        self.clock = clock
    }

    struct Record: Codable {
        var pid: Int32
        var startTime: UInt64
        var role: String
        var command: [String]
    }

    /// How a child ended.
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// From a `waitpid` status (the `WIFEXITED`/`WTERMSIG` macros, which Swift cannot import).
        init?(waitStatus status: Int32) {
            switch status & 0x7f {
            case 0: self = .exited((status >> 8) & 0xff)
            case 0x7f: return nil  // stopped, not ended
            case let signal: self = .signalled(signal)
            }
        }
    }

    /// What became of the children started by this process: each is reaped by its own
    /// thread, which records how it ended unless a newer child took the pid meanwhile.
    private enum Child {
        case running(spawn: UInt64)
        case ended(Termination)
    }

    private static let children = Mutex<(spawns: UInt64, byPid: [Int32: Child])>((0, [:]))

    /// Starts a command in its own process group with exactly `environment`, output
    /// appended to `log`, and records it.
    ///
    /// The child starts with no signal blocked and every signal at its default action,
    /// whatever the calling thread blocks (Dispatch and Swift-concurrency threads block
    /// most) and whatever this process ignores (`sextant run` ignores SIGTERM and SIGINT to
    /// catch them with a dispatch source): otherwise a server would ignore the graceful
    /// SIGTERM of `stop` and only die of the SIGKILL after the grace period.
    func spawn(_ command: [String], directory workingDirectory: String, environment: [String: String], log: String,
               role: String) throws(SpawnError) -> ProcessIdentity {
        guard let executable = command.first else { throw SpawnError("an empty command") }
        let path = Self.resolve(executable, path: environment["PATH"] ?? "/usr/bin:/bin")
        let output = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SpawnError("cannot write the log \(log): \(String(cString: strerror(errno)))") }
        defer { close(output) }

        let pid: pid_t
        do throws(SpawnFailure) {
            pid = try Self.posixSpawn(path, arguments: command, environment: environment, directory: workingDirectory, output: output)
        } catch {
            throw SpawnError("cannot start \(command.joined(separator: " ")): \(error.description)")
        }
        // Read before the reaper starts: until the child is reaped, no other process can have its pid.
        let identity = ProcessIdentity.of(pid) ?? ProcessIdentity(pid: pid, startTime: 0)
        Self.reap(pid)
        record(Record(pid: pid, startTime: identity.startTime, role: role, command: command))
        return identity
    }

    /// Whether a child started here has exited, and how: its exit status, or the number of
    /// the signal that killed it (as Foundation's `terminationStatus`).
    static func exitStatus(of pid: Int32) -> Int32? {
        switch termination(of: pid) {
        case .exited(let status)?, .signalled(let status)?: status
        case nil: nil
        }
    }

    /// Whether a child started here has ended, and how.
    static func termination(of pid: Int32) -> Termination? {
        children.withLock {
            if case .ended(let termination)? = $0.byPid[pid] { termination } else { nil }
        }
    }

    /// Waits for a child on a thread of its own (`waitpid` blocks) and records how it ended.
    private static func reap(_ pid: pid_t) {
        let spawn = children.withLock { children in
            children.spawns += 1
            children.byPid[pid] = .running(spawn: children.spawns)  // drops a reused pid's old status
            return children.spawns
        }
        let reaper = Thread {
            var status: Int32 = 0
            var reaped: pid_t
            repeat {
                reaped = waitpid(pid, &status, 0)
            } while reaped == -1 && errno == EINTR
            guard reaped == pid, let termination = Termination(waitStatus: status) else { return }
            children.withLock { children in
                // The pid is free once reaped: a newer child may have it already.
                if case .running(spawn)? = children.byPid[pid] { children.byPid[pid] = .ended(termination) }
            }
        }
        reaper.name = "sextant-reaper"
        reaper.stackSize = 256 << 10
        reaper.start()
    }

    /// `posix_spawn` with stdin from /dev/null, stdout and stderr to `output`, no other
    /// descriptor inherited, in `directory`, in a new process group, with an empty signal
    /// mask and default signal actions.
    private static func posixSpawn(_ path: String, arguments: [String], environment: [String: String], directory: String,
                                   output: Int32) throws(SpawnFailure) -> pid_t {
        guard let addChangeDirectory = GlibcSpawn.addChangeDirectory, let addCloseFrom = GlibcSpawn.addCloseFrom else {
            throw SpawnFailure(ENOSYS, "this C library has no posix_spawn_file_actions_addchdir_np/addclosefrom_np")
        }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        try SpawnFailure.check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(&actions) }
        try SpawnFailure.check(posix_spawnattr_init(&attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(&attributes) }

        try SpawnFailure.check(posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0), "open /dev/null")
        try SpawnFailure.check(posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO), "dup2 stdout")
        try SpawnFailure.check(posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO), "dup2 stderr")
        // Foundation's Process closed every other descriptor too; a server must not hold
        // the daemon's sockets or files.
        try SpawnFailure.check(addCloseFrom(&actions, 3), "closefrom")
        try SpawnFailure.check(directory.withCString { addChangeDirectory(&actions, $0) }, "chdir \(directory)")

        var unblocked = sigset_t(), everySignal = sigset_t()
        sigemptyset(&unblocked)
        sigfillset(&everySignal)
        try SpawnFailure.check(posix_spawnattr_setsigmask(&attributes, &unblocked), "posix_spawnattr_setsigmask")
        try SpawnFailure.check(posix_spawnattr_setsigdefault(&attributes, &everySignal), "posix_spawnattr_setsigdefault")
        // Process group 0: the child leads a group of its own, as with Foundation's Process,
        // so `ProcessIdentity.signal` reaches whatever it starts in turn.
        try SpawnFailure.check(posix_spawnattr_setpgroup(&attributes, 0), "posix_spawnattr_setpgroup")
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP
        try SpawnFailure.check(posix_spawnattr_setflags(&attributes, Int16(flags)), "posix_spawnattr_setflags")

        let argv = CStrings(arguments)
        let envp = CStrings(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer {
            argv.free()
            envp.free()
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv.pointers, envp.pointers)
        try SpawnFailure.check(result, path)
        return pid
    }

    private func record(_ record: Record) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let data = try? JSONEncoder().encode(record) {
            _ = FileManager.default.createFile(atPath: "\(directory)/\(record.pid).json", contents: data)
        }
    }

    func forget(_ pid: Int32) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(pid).json")
    }

    /// Every recorded process still running (same start time), or whose process group
    /// still does; records of the others are removed.
    func live() -> [(identity: ProcessIdentity, role: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [(ProcessIdentity, String)] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                  let record = try? JSONDecoder().decode(Record.self, from: data) else { continue }
            let identity = ProcessIdentity(pid: record.pid, startTime: record.startTime)
            if identity.isRunning { found.append((identity, record.role)) } else { forget(record.pid) }
        }
        return found
    }

    /// Stops a recorded process (SIGTERM, SIGKILL after `grace`; see `ProcessIdentity.stop`)
    /// and forgets it.
    func stop(_ identity: ProcessIdentity, grace: Duration = .seconds(5)) async {
        await identity.stop(grace: grace, clock: clock)
        forget(identity.pid)
    }

    /// `PATH` lookup, as `execvp` would do it.
    static func resolve(_ executable: String, path: String) -> String {
        if executable.contains("/") { return executable }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return executable
    }
}

struct SpawnError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A failed `posix_spawn` step: its errno and what was being done.
private struct SpawnFailure: Error, CustomStringConvertible {
    var code: Int32
    var step: String

    init(_ code: Int32, _ step: String) {
        self.code = code
        self.step = step
    }

    /// The `posix_spawn*` functions return an errno rather than setting it.
    static func check(_ result: Int32, _ step: @autoclosure () -> String) throws(SpawnFailure) {
        if result != 0 { throw SpawnFailure(result, step()) }
    }

    var description: String { "\(step): \(String(cString: strerror(code)))" }
}

/// glibc's file actions that its headers declare only for `_GNU_SOURCE`, which Swift's
/// Glibc module does not define (both are in glibc since 2.34).
private enum GlibcSpawn {
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChangeDirectory: AddChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}

/// A NULL-terminated array of C strings, as `argv` and `envp` are passed.
private struct CStrings {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        pointers[strings.count] = nil
    }

    func free() {
        for index in 0..<count { Glibc.free(pointers[index]) }
        pointers.deallocate()
    }
}

/// A free TCP port on 127.0.0.1 (the kernel's choice; a race with another process is
/// caught at readiness: the server exits, and a built-in one must hold the port itself,
/// `PortListeners`).
func freeLoopbackPort() -> Int? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { return nil }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { return nil }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The last lines of a log, for a failure message.
func logTail(_ path: String, lines: Int = 12) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "(no log)" }
    let text = String(decoding: data.suffix(8192), as: UTF8.self)
    let tail = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
    return tail.isEmpty ? "(the log is empty)" : tail.joined(separator: "\n")
}
