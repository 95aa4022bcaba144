#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SextantAPI
import SextantCore
import SextantTestSupport
import SextantWire
import Testing
@testable import SextantRuntime

/// Reading what a replica uses from `/proc`: the stat line's fields, this test process
/// itself, and a server's whole process group (what it forked included).
@Suite struct ProcessStatTests {
    struct Line: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var expected: ProcessStat?
        var testDescription: String { name }
    }

    /// Fields 3 onwards of a stat line: state, ppid, pgrp, session, tty, tpgid, flags, minflt,
    /// cminflt, majflt, cmajflt, utime, stime, cutime, cstime, priority, nice, threads,
    /// itrealvalue, starttime, vsize, rss, and the rest.
    static let tail = "S 1 4242 4242 0 -1 4194560 900 0 3 0 150 50 7 3 20 0 4 0 98765 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"

    static let lines: [Line] = [
        Line(name: "a plain command", text: "4242 (serve-model) " + tail,
             expected: ProcessStat(pid: 4242, state: "S", processGroup: 4242, cpuTicks: 210, startTime: 98765, residentPages: 2048)),
        Line(name: "a command name with spaces and parentheses", text: "77 (python3 (mlserver) x) " + tail.replacingOccurrences(of: "S 1 4242", with: "R 1 4242"),
             expected: ProcessStat(pid: 77, state: "R", processGroup: 4242, cpuTicks: 210, startTime: 98765, residentPages: 2048)),
        Line(name: "a zombie", text: "5 (sh) Z" + tail.dropFirst(),
             expected: ProcessStat(pid: 5, state: "Z", processGroup: 4242, cpuTicks: 210, startTime: 98765, residentPages: 2048)),
        Line(name: "cut short", text: "4242 (serve-model) S 1 4242 4242 0 -1", expected: nil),
        Line(name: "no pid", text: "(serve-model) " + tail, expected: nil),
        Line(name: "not numbers where ticks are", text: "4242 (x) " + tail.replacingOccurrences(of: " 150 50 ", with: " a b "), expected: nil),
    ]

    @Test("parsing a /proc/PID/stat line", arguments: lines)
    func parsing(_ line: Line) {
        #expect(ProcessStat(line.text) == line.expected)
    }

    @Test("this test process: its own stat, used CPU and resident memory")
    func ownProcess() throws {
        let stat = try #require(ProcessStat.read(getpid()))
        #expect(stat.pid == getpid() && stat.isLive)
        #expect(stat.startTime == ProcessIdentity.startTime(of: getpid()))
        #expect(stat.residentPages > 0)
        #expect(ProcessStat.ticksPerSecond > 0 && ProcessStat.pageBytes >= 4096)
    }

    /// Waits (generously: the machine is shared) until `condition` holds of the group's usage.
    static func usage(of leader: ProcessIdentity, within limit: Duration = .seconds(60),
                      until condition: (ResourceUsage?) -> Bool) async throws -> ResourceUsage? {
        let deadline = ContinuousClock.now + limit
        var usage = ProcessIdentity.groupUsage([leader])[leader]
        while !condition(usage), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            usage = ProcessIdentity.groupUsage([leader])[leader]
        }
        return usage
    }

    @Test("a server's usage is its process group's: the CPU of a busy child it forked rises while the server itself only waits; gone once stopped")
    func groupCPU() async throws {
        let directory = try TemporaryDirectory()
        let table = ProcessTable(stateDirectory: directory.path)
        // The leader only waits; its forked child spins.
        let leader = try table.spawn(["sh", "-c", "(while :; do :; done) & wait"], directory: directory.path, environment: ["PATH": "/usr/bin:/bin"],
                                     log: directory.path + "/busy.log", role: "test busy group")
        defer { kill(-leader.pid, SIGKILL) }
        let busy = try await Self.usage(of: leader) { ($0?.cpuSeconds ?? 0) >= 0.3 }
        #expect((busy?.cpuSeconds ?? 0) >= 0.3, "the group's CPU rises with its child's: \(String(describing: busy))")
        #expect((busy?.residentBytes ?? 0) > 0)
        let own = try #require(ProcessStat.read(leader.pid))
        #expect(Double(own.cpuTicks) / ProcessStat.ticksPerSecond < 0.3, "the leader itself only waits")

        let runtime = EmbeddedRuntime(blobs: ServerInstanceTests.NoBlobs(), stateDirectory: directory.path, stopGrace: .milliseconds(500))
        let process = LocalProcess(leader, port: 1, command: ["sh"])
        let replica = Replica(revision: 1, index: 0, endpoint: process.endpoint, log: directory.path + "/busy.log", startedAt: Date(), handle: try process.handle())
        let sampled = try #require(await runtime.resourceUsage([replica])?[replica.id], "the runtime reads its replica")
        #expect(sampled.cpuSeconds >= busy?.cpuSeconds ?? 0, "CPU time only grows")

        await table.stop(leader, grace: .milliseconds(500))
        #expect(try await Self.usage(of: leader) { $0 == nil } == nil, "a stopped server has no usage")
        #expect(await runtime.resourceUsage([replica]) == [:], "a gone replica has no entry")
    }

    @Test("a replica of another runtime has no entry; no replica, no walk of /proc")
    func foreignReplica() async throws {
        let directory = try TemporaryDirectory()
        let runtime = EmbeddedRuntime(blobs: ServerInstanceTests.NoBlobs(), stateDirectory: directory.path)
        let foreign = Replica(revision: 1, index: 0, endpoint: "http://10.0.0.1:80", log: "", startedAt: Date(), handle: RuntimeHandle(id: "ray-1", data: [:]))
        #expect(await runtime.resourceUsage([foreign]) == [:])
        #expect(ProcessIdentity.groupUsage([]).isEmpty)
    }
}
