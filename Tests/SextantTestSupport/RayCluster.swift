import Foundation
public import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A single-node Ray cluster of the tests' own, every port on 127.0.0.1: `ray start --head`
/// from the venv named by `SEXTANT_RAY_PYTHON` (`…/bin/python` → `…/bin/ray`), in a private
/// temporary directory, stopped by ending the processes of its own session (never `ray
/// stop`, which stops every Ray of the machine, another engineer's or CI job's included).
///
/// A suite uses it with the `.rayCluster` trait and reads `RayCluster.current`: suites
/// running at the same time share one cluster (starting one takes 5–25 s and ~600 MB), which
/// stops when the last of them ends.
public final class RayCluster: Sendable {
    /// `http://127.0.0.1:PORT`, the dashboard and its REST APIs.
    public let dashboardURL: String
    /// The GCS's port (`ray start --port`).
    public let gcsPort: Int
    /// Ray's `--temp-dir`: sessions, logs and sockets.
    public let directory: String

    /// The `ray` program, when `SEXTANT_RAY_PYTHON` names a venv's python that has one.
    public static let ray: String? = {
        guard let python = ProcessInfo.processInfo.environment["SEXTANT_RAY_PYTHON"], !python.isEmpty else { return nil }
        let ray = (python as NSString).deletingLastPathComponent + "/ray"
        return FileManager.default.isExecutableFile(atPath: ray) ? ray : nil
    }()

    public static var isAvailable: Bool { ray != nil }

    /// The skip reason of a test that needs Ray.
    public static let unavailable: Comment = "needs SEXTANT_RAY_PYTHON: a venv's python with ray[serve]==2.60.0 and its ray beside it (.ci/run installs it)"

    /// The cluster of the suite running this test (set by the `.rayCluster` trait).
    @TaskLocal public static var current: RayCluster?

    private init(dashboardURL: String, gcsPort: Int, directory: String) {
        self.dashboardURL = dashboardURL
        self.gcsPort = gcsPort
        self.directory = directory
    }

    /// Starts a head node and waits until its dashboard answers.
    static func start() async throws -> RayCluster {
        guard let ray = ray else { throw FixtureError(unavailable.rawValue) }
        removeAbandonedClusters()
        // Short, under /tmp: Ray puts Unix sockets under it, whose paths must stay under 108 bytes.
        let directory = "/tmp/\(directoryPrefix)\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(getpid())".write(toFile: "\(directory)/owner.pid", atomically: true, encoding: .utf8)
        // Every port Ray would otherwise take at a fixed default (10001, 52365) or on all
        // addresses is named; freePort()'s ports (20000–32767) are outside Ray's worker port
        // range (10002–19999), which `ray start` requires.
        let gcsPort = try freePort(), dashboardPort = try freePort(), clientPort = try freePort(), agentPort = try freePort()
        let arguments = [
            ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", "\(gcsPort)",
            "--dashboard-host", "127.0.0.1", "--dashboard-port", "\(dashboardPort)",
            "--ray-client-server-port", "\(clientPort)", "--dashboard-agent-listen-port", "\(agentPort)",
            "--num-cpus", "2", "--temp-dir", directory, "--disable-usage-stats",
        ]
        // setsid: the cluster's processes get a session of their own, by which `stop` finds
        // them all. The output goes to a file: Ray's daemons would hold a pipe open.
        let command = "exec /usr/bin/setsid --wait " + arguments.map(shellQuoted).joined(separator: " ") + " > \(directory)/ray-start.log 2>&1"
        let cluster = RayCluster(dashboardURL: "http://127.0.0.1:\(dashboardPort)", gcsPort: gcsPort, directory: directory)
        let started = try await runProcess("/bin/sh", ["-c", command], environment: environment(ray: ray, directory: directory))
        guard started.status == 0 else {
            let log = (try? String(contentsOfFile: "\(directory)/ray-start.log", encoding: .utf8)) ?? ""
            await cluster.stop()
            throw FixtureError("ray start failed (status \(started.status)): \(log.suffix(2000))")
        }
        let answered = try await eventually(timeout: .seconds(90)) { await cluster.dashboardAnswers() }
        guard answered else {
            await cluster.stop()
            throw FixtureError("Ray's dashboard did not answer on \(cluster.dashboardURL) within 90 s")
        }
        return cluster
    }

    /// What `ray start` runs with. RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 keeps Ray on loopback:
    /// without it, Ray replaces `--node-ip-address 127.0.0.1` with the machine's outward
    /// address (`services.resolve_ip_for_localhost`), and its GCS, raylet, agents and client
    /// server listen on that address or on all of them.
    private static func environment(ray: String, directory: String) -> [String: String] {
        [
            "PATH": (ray as NSString).deletingLastPathComponent + ":/usr/bin:/bin",
            "HOME": directory,
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "RAY_USAGE_STATS_ENABLED": "0",
            "LANG": "C.UTF-8",
        ]
    }

    private static let directoryPrefix = "sextant-ray-"

    /// Whether `GET /api/version` answers 200.
    private func dashboardAnswers() async -> Bool {
        guard let port = URL(string: dashboardURL)?.port,
              let connection = try? await RawHTTPConnection.open(port: port, sending: "GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        else { return false }
        let answered = await connection.waitFor(timeout: .seconds(5)) { text, closed in text.contains(" 200 ") || closed }
        let succeeded = answered && connection.received.hasPrefix("HTTP/1.1 200")
        await connection.close()
        return succeeded
    }

    /// The local addresses (`127.0.0.1:6379`, `[::ffff:127.0.0.1]:8000`) of every TCP socket
    /// the cluster's processes listen on, from `ss -Htlnp`.
    public func listeningAddresses() async throws -> [String] {
        let session = try #require(Self.session(of: directory), "no process of the Ray cluster in \(directory) runs")
        let pids = Set(Self.processes(in: session))
        let output = try await runProcess("/usr/bin/ss", ["-Htlnp"])
        return output.stdout.split(separator: "\n").compactMap { line in
            let owners = line.matches(of: /pid=(\d+)/).compactMap { pid_t($0.output.1) }
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard owners.contains(where: pids.contains), columns.count > 3 else { return nil }
            return String(columns[3])
        }
    }

    /// Ends every process of the cluster's session (SIGTERM, then SIGKILL after 5 s) and removes its directory.
    func stop() async {
        let session = Self.session(of: directory)
        if let session {
            Self.signal(session: session, SIGTERM)
            _ = try? await eventually(timeout: .seconds(5)) { Self.processes(in: session).isEmpty }
            Self.signal(session: session, SIGKILL)
            _ = try? await eventually(timeout: .seconds(10)) { Self.processes(in: session).isEmpty }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The session of the processes started for the cluster in `directory`: found from any
    /// process naming the directory in its arguments; never this test process's own session.
    private static func session(of directory: String) -> pid_t? {
        for pid in allProcesses() {
            guard let arguments = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  arguments.contains(directory + "/"),
                  let session = Self.session(ofProcess: pid), session != getsid(0), session > 1
            else { continue }
            return session
        }
        return nil
    }

    private static func processes(in session: pid_t) -> [pid_t] {
        allProcesses().filter { Self.session(ofProcess: $0) == session }
    }

    private static func signal(session: pid_t, _ signal: Int32) {
        for pid in processes(in: session) { kill(pid, signal) }
    }

    private static func allProcesses() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    /// Field 6 of `/proc/PID/stat`, after the parenthesised command name (which may hold spaces).
    private static func session(ofProcess pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // state, ppid, pgrp, session
        return fields.count > 3 ? pid_t(fields[3]) : nil
    }

    /// Clusters left by a test process that died before stopping them (a crash, a kill):
    /// their owner's pid no longer runs.
    private static func removeAbandonedClusters() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(directoryPrefix) {
            let directory = "/tmp/\(name)"
            guard let owner = (try? String(contentsOfFile: "\(directory)/owner.pid", encoding: .utf8)).flatMap({ pid_t($0) }),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            if let session = session(of: directory) { signal(session: session, SIGKILL) }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// `@Suite(.rayCluster)`: the suite's tests run with `RayCluster.current` set to a running cluster.
public struct RayClusterTrait: SuiteTrait, TestScoping {
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if RayCluster.current != nil { return try await function() }
        try await Self.shared.holding { cluster in try await RayCluster.$current.withValue(cluster) { try await function() } }
    }

    private static let shared = SharedPeer(start: { try await RayCluster.start() }, stop: { await $0.stop() })
}

extension Trait where Self == RayClusterTrait {
    /// A Ray cluster for the suite; pair it with `.enabled(if: RayCluster.isAvailable, RayCluster.unavailable)`.
    public static var rayCluster: Self { RayClusterTrait() }
}

/// Takes turns at the cluster's Serve: its application set is one per cluster and declared
/// whole (what a declaration leaves out is removed), so two tests declaring at once would
/// remove each other's applications.
actor ServeTurns {
    static let shared = ServeTurns()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func take() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// `.serveTurns`: each test of the suite has the cluster's Serve to itself.
public struct ServeTurnsTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: its tests take turns
        await ServeTurns.shared.take()
        do {
            try await function()
        } catch {
            await ServeTurns.shared.give()
            throw error
        }
        await ServeTurns.shared.give()
    }
}

extension Trait where Self == ServeTurnsTrait {
    /// Each test has the cluster's Serve to itself (with `.rayCluster`).
    public static var serveTurns: Self { ServeTurnsTrait() }
}
