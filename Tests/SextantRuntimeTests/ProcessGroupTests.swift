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

/// A server is its whole process group: what it forked stops with it, also when the
/// server itself died first, and a record written before runtime handles is still adopted.
@Suite struct ProcessGroupTests {
    /// A server that forks a `sleep` ignoring SIGTERM (so only the group's SIGKILL ends it),
    /// writes the child's pid, and waits.
    static let forkingServer = ["sh", "-c", "(trap '' TERM; exec sleep 300) & echo $! > child.pid; wait"]

    struct Server {
        var replica: Replica
        var leader: ProcessIdentity
        var child: Int32
    }

    static func start(_ runtime: EmbeddedRuntime, in directory: TemporaryDirectory) async throws -> Server {
        let leader = try runtime.processes.spawn(forkingServer, directory: directory.path, environment: ["PATH": "/usr/bin:/bin"],
                                                 log: directory.path + "/server.log", role: "test replica")
        // Generous: other suites' child processes may keep this one waiting on a loaded machine.
        let deadline = ContinuousClock.now + .seconds(180)
        var child: Int32?
        while child == nil, ContinuousClock.now < deadline {
            child = (try? String(contentsOfFile: directory.path + "/child.pid", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if child == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let process = LocalProcess(leader, port: 1, command: forkingServer)
        let replica = Replica(revision: 1, index: 0, endpoint: process.endpoint, log: directory.path + "/server.log", startedAt: Date(),
                              handle: try process.handle())
        return Server(replica: replica, leader: leader, child: try #require(child, "the server wrote its child's pid"))
    }

    static func runs(_ pid: Int32) -> Bool { ProcessIdentity.startTime(of: pid) != nil }

    /// Waits (generously) for a pid to be gone.
    static func gone(_ pid: Int32, within limit: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while runs(pid), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !runs(pid)
    }

    static func runtime(_ directory: TemporaryDirectory) -> EmbeddedRuntime {
        EmbeddedRuntime(blobs: ServerInstanceTests.NoBlobs(), stateDirectory: directory.path, stopGrace: .milliseconds(500))
    }

    @Test("stopping a server stops what it forked, even a child that ignores SIGTERM")
    func stopTakesTheGroup() async throws {
        let directory = try TemporaryDirectory()
        let runtime = Self.runtime(directory)
        let server = try await Self.start(runtime, in: directory)
        defer { kill(server.child, SIGKILL) }
        #expect(Self.runs(server.child))
        await runtime.stopReplicas([server.replica])
        #expect(await Self.gone(server.leader.pid))
        #expect(await Self.gone(server.child), "the forked sleep went with its server")
        #expect(runtime.processes.live().isEmpty)
    }

    @Test("a server whose own process died is exited, and what it left running is stopped")
    func deadLeaderLeavesNothing() async throws {
        let directory = try TemporaryDirectory()
        let runtime = Self.runtime(directory)
        let server = try await Self.start(runtime, in: directory)
        defer { kill(server.child, SIGKILL) }
        kill(server.leader.pid, SIGKILL)  // the leader alone
        #expect(await ProcessSpawnTests.waitForExit(server.leader.pid) != nil)
        #expect(Self.runs(server.child), "the child outlived its server")
        #expect(await runtime.exitedReplicas([server.replica]) == [server.replica.id])
        #expect(await Self.gone(server.child), "the crashed server's child was stopped")
    }

    @Test("after a restart, a recorded server that died leaves no child behind: reapOrphans stops its group")
    func reapTakesLeftovers() async throws {
        let directory = try TemporaryDirectory()
        let runtime = Self.runtime(directory)
        let server = try await Self.start(runtime, in: directory)
        defer { kill(server.child, SIGKILL) }
        kill(server.leader.pid, SIGKILL)
        #expect(await ProcessSpawnTests.waitForExit(server.leader.pid) != nil)
        #expect(runtime.processes.live().map(\.identity) == [server.leader], "its group still runs: the record stays")
        await runtime.reapOrphans(keeping: [], gateway: nil)
        #expect(await Self.gone(server.child))
        #expect(runtime.processes.live().isEmpty)
    }

    @Test("a replica recorded before runtime handles (pid, startTime, port, command) is adopted, probed and stopped")
    func legacyRecordIsAdopted() async throws {
        let directory = try TemporaryDirectory()
        let runtime = Self.runtime(directory)
        let server = try await Self.start(runtime, in: directory)
        defer { kill(server.child, SIGKILL) }
        let json = """
            {"revision": 1, "index": 0, "pid": \(server.leader.pid), "startTime": \(server.leader.startTime), "port": 8123,
             "command": ["sh"], "log": "server.log", "startedAt": 0}
            """
        let replica = try JSONDecoder().decode(Replica.self, from: Data(json.utf8))
        #expect(replica.endpoint == "http://127.0.0.1:8123")
        #expect(replica.id == server.replica.id, "the same id as a handle the runtime makes now")
        #expect(replica.handle.summary == ["pid": .number(Double(server.leader.pid)), "port": .number(8123)])
        #expect(await runtime.exitedReplicas([replica]).isEmpty)
        await runtime.reapOrphans(keeping: [replica], gateway: nil)
        #expect(server.leader.isAlive, "a known server is kept")
        await runtime.stopReplicas([replica])
        #expect(await Self.gone(server.leader.pid))
        #expect(await Self.gone(server.child))
    }
}
