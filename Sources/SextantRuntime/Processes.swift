#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A process as the kernel knows it: its pid and its start time, so a pid the kernel
/// reused for another process is never signalled.
struct ProcessIdentity: Sendable, Hashable, Codable {
    var pid: Int32
    var startTime: UInt64

    /// The start time of a live (not zombie) process, from `/proc/PID/stat`.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    static func of(_ pid: Int32) -> ProcessIdentity? {
        startTime(of: pid).map { ProcessIdentity(pid: pid, startTime: $0) }
    }

    var isAlive: Bool { Self.startTime(of: pid) == startTime }

    /// SIGTERM to the process group, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard isAlive else { return }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isAlive, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isAlive {
            signal(SIGKILL)
            for _ in 0..<40 where isAlive { try? await Task.sleep(for: .milliseconds(25)) }
        }
    }

    /// Signals the process's group (it leads one: Foundation starts children that way),
    /// or the process alone.
    func signal(_ signal: Int32) {
        guard isAlive else { return }
        if getpgid(pid) == pid { kill(-pid, signal) } else { kill(pid, signal) }
    }
}

/// The processes a runtime started, each with a file under `STATE/processes/`, so that a
/// restarted daemon (or `sextant down`) finds every one of them: none is left orphaned.
public struct ProcessTable: Sendable {
    public let directory: String

    public init(stateDirectory: String) {
        directory = stateDirectory + "/processes"
    }

    struct Record: Codable {
        var pid: Int32
        var startTime: UInt64
        var role: String
        var command: [String]
    }

    /// Children started by this process, kept so Foundation reaps them when they exit,
    /// and the exit status of those that did.
    private static let children = Mutex<(running: [Int32: Process], exited: [Int32: Int32])>(([:], [:]))

    /// Starts a command in its own process group with exactly `environment`, output
    /// appended to `log`, and records it.
    func spawn(_ command: [String], directory workingDirectory: String, environment: [String: String], log: String,
               role: String) throws(SpawnError) -> ProcessIdentity {
        guard let executable = command.first else { throw SpawnError("an empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.resolve(executable, path: environment["PATH"] ?? "/usr/bin:/bin"))
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: log) else { throw SpawnError("cannot write the log \(log)") }
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        // Set before the start: a child that exits at once still has its status recorded.
        process.terminationHandler = { finished in
            Self.children.withLock {
                $0.running[finished.processIdentifier] = nil
                $0.exited[finished.processIdentifier] = finished.terminationStatus
            }
        }
        do {
            try process.run()
        } catch {
            throw SpawnError("cannot start \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        try? output.close()
        let pid = process.processIdentifier
        Self.children.withLock {
            if $0.exited[pid] == nil || process.isRunning { $0.exited[pid] = nil }  // a reused pid's old status
            $0.running[pid] = process
        }
        let identity = ProcessIdentity.of(pid) ?? ProcessIdentity(pid: pid, startTime: 0)
        record(Record(pid: pid, startTime: identity.startTime, role: role, command: command))
        return identity
    }

    /// Whether a child started here has exited, and how.
    static func exitStatus(of pid: Int32) -> Int32? {
        children.withLock { $0.exited[pid] }
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

    /// Every recorded process still alive (same start time); records of dead ones are removed.
    func live() -> [(identity: ProcessIdentity, role: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [(ProcessIdentity, String)] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                  let record = try? JSONDecoder().decode(Record.self, from: data) else { continue }
            let identity = ProcessIdentity(pid: record.pid, startTime: record.startTime)
            if identity.isAlive { found.append((identity, record.role)) } else { forget(record.pid) }
        }
        return found
    }

    /// Stops a recorded process and forgets it.
    func stop(_ identity: ProcessIdentity, grace: Duration = .seconds(5)) async {
        await identity.stop(grace: grace)
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

/// A free TCP port on 127.0.0.1 (the kernel's choice; a race with another process is
/// caught by readiness).
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
