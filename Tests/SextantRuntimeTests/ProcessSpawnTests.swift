#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import SextantTestSupport
@testable import SextantRuntime

/// The daemon starts servers from Swift-concurrency threads, which block most signals, and
/// swift-service-lifecycle sets SIGTERM and SIGINT to SIG_IGN in it: a child must inherit
/// neither, or it ignores the daemon's graceful SIGTERM and is killed after the grace period.
@Suite struct ProcessSpawnTests {
    /// Spawns with every signal blocked on this thread and SIGTERM ignored by the
    /// process, as in `sextant run`, then restores both.
    static func spawnFromHostileContext(_ table: ProcessTable, _ command: [String], directory: String,
                                        log: String) throws -> ProcessIdentity {
        var blocked = sigset_t(), previousMask = sigset_t()
        sigfillset(&blocked)
        #expect(pthread_sigmask(SIG_BLOCK, &blocked, &previousMask) == 0)
        defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
        let previousTerm = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previousTerm) }
        return try table.spawn(command, directory: directory, environment: ["PATH": "/usr/bin:/bin"], log: log, role: "test")
    }

    /// Looks at least once after the deadline: in the full suite, tests that block the
    /// cooperative pool (a synchronous wait for a process) can keep this task from running
    /// until well after the child ended and its reaper recorded it.
    static func waitForExit(_ pid: Int32, within limit: Duration = .seconds(10)) async -> ProcessTable.Termination? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let termination = ProcessTable.termination(of: pid) { return termination }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `SigBlk`/`SigIgn` of a process, from `/proc/PID/status`.
    static func signalMasks(of pid: Int32) throws -> (blocked: UInt64, ignored: UInt64) {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func mask(_ name: String) throws -> UInt64 {
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(name + ":") })
            return try #require(UInt64(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16))
        }
        return (try mask("SigBlk"), try mask("SigIgn"))
    }

    @Test("a child starts with no signal blocked or ignored, in its own group, and a plain SIGTERM ends it")
    func cleanSignals() async throws {
        let directory = try TemporaryDirectory()
        let table = ProcessTable(stateDirectory: directory.path)
        // `sleep` leaves its signal state as it found it (a shell would clear the mask itself).
        let identity = try Self.spawnFromHostileContext(table, ["sleep", "30"], directory: directory.path, log: directory.path + "/log")
        defer { identity.signal(SIGKILL) }
        let masks = try Self.signalMasks(of: identity.pid)
        #expect(masks.blocked == 0)
        // Signals 1...31; glibc keeps its two internal real-time signals (32, 33) ignored.
        #expect(masks.ignored & 0x7fff_ffff == 0)
        #expect(getpgid(identity.pid) == identity.pid)
        #expect(table.live().map(\.identity) == [identity])

        #expect(kill(identity.pid, SIGTERM) == 0)
        let termination = await Self.waitForExit(identity.pid)
        #expect(termination == .signalled(SIGTERM))
        #expect(ProcessTable.exitStatus(of: identity.pid) == SIGTERM)
        #expect(!identity.isAlive)
        #expect(table.live().isEmpty)
    }

    @Test("a child runs in its directory with exactly its environment, stdin empty, output appended to the log")
    func directoryEnvironmentAndLog() async throws {
        let directory = try TemporaryDirectory()
        let table = ProcessTable(stateDirectory: directory.path)
        let work = directory.path + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let log = try directory.write("child.log", "earlier line\n")
        let script = #"pwd; echo "model=$MODEL home=${HOME:-unset}"; cat; echo to-stderr >&2; exit 3"#
        let identity = try table.spawn(["sh", "-c", script], directory: work, environment: ["PATH": "/usr/bin:/bin", "MODEL": "fraud"],
                                       log: log, role: "test")
        #expect(await Self.waitForExit(identity.pid) == .exited(3))
        #expect(ProcessTable.exitStatus(of: identity.pid) == 3)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output == "earlier line\n\(work)\nmodel=fraud home=unset\nto-stderr\n")
    }

    @Test("a command that cannot be started is an error, not a record")
    func missingExecutable() throws {
        let directory = try TemporaryDirectory()
        let table = ProcessTable(stateDirectory: directory.path)
        #expect(throws: SpawnError.self) {
            try table.spawn(["no-such-command-\(UUID().uuidString.prefix(6))"], directory: directory.path,
                            environment: ["PATH": "/usr/bin:/bin"], log: directory.path + "/log", role: "test")
        }
        #expect(table.live().isEmpty)
    }
}
