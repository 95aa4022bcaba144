import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import Testing
import SextantAPI
import SextantCore
import SextantTestSupport
import SextantWire

/// Two `sextant run` replicas on one PostgreSQL database (DESIGN §12), with the real binary,
/// a real server from Debian's package, the real gateway and the Python example's trainer.
@Suite(.serialized, .postgresServer) struct ReplicasEndToEndTests {
    typealias Rig = RolloutEndToEndTests.Rig

    static let enabled = PostgresServer.isInstalled && BackgroundJobsEndToEndTests.hasPython
    static let why: Comment = "needs PostgreSQL's server (Debian's postgresql-15; .ci/run installs it) and /usr/bin/python3"

    /// One replica: `sextant run --store postgres://ROLE@…` on the rig's repository, state
    /// directory and gateway, with an API of its own.
    final class Replica: Sendable {
        let name: String
        let apiPort: Int
        let process: BackgroundProcess

        init(_ name: String, rig: Rig, store: String) throws {
            self.name = name
            apiPort = try freePort()
            process = try BackgroundProcess(sextantBinary, [
                "run", "--repo", rig.repository.path, "--state-dir", rig.state.path, "--interval", "1s", "--listen", "127.0.0.1:\(apiPort)",
                "--gateway", "127.0.0.1:\(rig.gatewayPort)", "--readiness-timeout", "20", "--store", store,
            ], logPath: rig.state.path + "/../replica-\(name)-\(apiPort).log", environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        }

        func get(_ path: String) async throws -> (status: UInt, body: String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(apiPort)" + path), timeout: .seconds(5))
            return (response.status.code, String(buffer: try await response.body.collect(upTo: 64 << 20)))
        }

        func post(_ path: String) async throws -> (status: UInt, body: String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(apiPort)" + path)
            request.method = .POST
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }

        /// A gauge or counter of `/metrics` without labels; nil while the API does not answer.
        func metric(_ name: String) async -> Double? {
            guard let body = try? await get("/metrics").body else { return nil }
            for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.split(separator: " ").last ?? "")
            }
            return nil
        }

        func status() async throws -> StatusDocument {
            try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(try await get("/api/v1/status").body.utf8))
        }

        func model(_ name: String) async -> ObjectStatus? {
            try? await status().objects.first { $0.kind == .model && $0.name == name }
        }

        func events() async throws -> [Event] {
            try StatusDocument.jsonDecoder().decode([Event].self, from: Data(try await get("/api/v1/events?since=0&limit=10000").body.utf8))
        }

        var log: String { process.log.suffix(4000).description }

        /// SIGKILL, woken first if a test paused it.
        func kill() {
            guard process.isRunning else { return }
            Glibc.kill(process.pid, SIGCONT)
            Glibc.kill(process.pid, SIGKILL)
        }
    }

    static func waitFor(_ what: String, timeout: Duration = .seconds(120), replicas: [Replica], _ condition: () async throws -> Bool) async throws {
        let done = try await eventually(timeout: timeout) { (try? await condition()) ?? false }
        try #require(done, "waited \(timeout) for \(what); logs:\n\(replicas.map { "--- \($0.name):\n\($0.log)" }.joined(separator: "\n"))")
    }

    /// Two replicas, A and B, on one fresh database, the rig's repository, state directory
    /// and gateway (the Python example's model, a canary of one step): A leads, B follows,
    /// r1 serves. Both are killed after `body`, whatever it did to them.
    struct Pair {
        let rig: Rig
        let database: PostgresTestDatabase
        let a: Replica
        let b: Replica
    }

    static func withPair(_ body: (Pair) async throws -> Void) async throws {
        let rig = try Rig(example: "python-trainer", model: "churn-predictor", steps: "[{setWeight: 50}]", analysis: "{interval: 1s}")
        let database = try await PostgresServer.current.makeDatabase(roles: ["sextant_a", "sextant_b"])
        let a = try Replica("a", rig: rig, store: database.url(as: "sextant_a"))
        defer { a.kill() }
        try await Self.waitFor("a to lead", replicas: [a]) { await a.metric("sextant_leader") == 1 }
        let b = try Replica("b", rig: rig, store: database.url(as: "sextant_b"))
        defer { b.kill() }
        try await Self.waitFor("b to follow", replicas: [a, b]) { try await b.get("/readyz").body.hasPrefix("ready: follower of") }
        try await Self.waitFor("r1 to serve", timeout: .seconds(180), replicas: [a, b]) { await a.model(rig.model)?.phase == .serving }
        do {
            try await body(Pair(rig: rig, database: database, a: a, b: b))
        } catch {
            await Self.stopAll(rig: rig, store: database.url(as: "sextant_a"), replicas: [a, b])
            throw error
        }
        await Self.stopAll(rig: rig, store: database.url(as: "sextant_a"), replicas: [a, b])
    }

    /// Stops the replicas (SIGTERM: each gives its lease back) and the data plane they
    /// started (`down --store`, which waits for no leader; tried for a lease's length if one
    /// was killed holding it).
    static func stopAll(rig: Rig, store: String, replicas: [Replica]) async {
        for replica in replicas where replica.process.isRunning {
            kill(replica.process.pid, SIGCONT)
            if await replica.process.stop(SIGTERM, timeout: .seconds(20)) == nil { replica.kill() }
        }
        _ = try? await eventually(timeout: .seconds(30)) {
            (try? await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path, "--store", store]))?.status == 0
        }
    }

    /// The `sextant gateway` process serving on `port`.
    static func gatewayProcess(port: Int) -> Int32? {
        BackgroundJobsEndToEndTests.processes(containing: "127.0.0.1:\(port)").first { pid in
            let command = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return command.count > 1 && command[1] == "gateway"
        }
    }

    @Test("kill -9 of the leader mid-training: the follower leads within 20 s, trains the version exactly once, loses no event, and the gateway keeps serving",
          .enabled(if: enabled, why), .timeLimit(.minutes(10)))
    func failover() async throws {
        let marks = "/tmp/sextant-marks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: marks) }
        try await Self.withPair { pair in try await Self.failover(pair, marks: marks) }
    }

    static func failover(_ pair: Pair, marks: String) async throws {
        let (rig, database, a, b) = (pair.rig, pair.database, pair.a, pair.b)
        #expect(await b.metric("sextant_leader") == 0)
        #expect(await a.metric("sextant_leader_epoch") == 1)

        // The follower serves what the leader wrote, names it, and refuses decisions.
        try await Self.waitFor("b to read r1 serving", replicas: [a, b]) { await b.model(rig.model)?.phase == .serving }
        let leader = try #require(try await b.status().leader)
        #expect(leader.epoch == 1 && leader.api == "127.0.0.1:\(a.apiPort)")
        let refused = try await b.post("/api/v1/models/\(rig.model)/promote")
        #expect(refused.status == 503 && refused.body.contains("the leader is \(leader.holder) at 127.0.0.1:\(a.apiPort) (epoch 1)"), "\(refused)")
        #expect(try await b.get("/").status == 200, "the dashboard serves on the follower")
        // `history --server` of the follower reads the lineage the leader wrote.
        var histories: [String] = []
        for replica in [a, b] {
            let history = try await runProcess(sextantBinary, ["history", rig.model, "--server", "http://127.0.0.1:\(replica.apiPort)", "-o", "json"])
            #expect(history.status == 0, "\(replica.name): \(history.stderr)")
            histories.append(history.stdout)
        }
        let lineage = try HistoryDocument.lineage(histories[1])
        #expect(lineage == (try HistoryDocument.lineage(histories[0])))
        #expect(lineage.versions.map(\.version) == [1] && lineage.versions.first?.revisions.first?.passed == true, "\(histories[1])")

        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: BackgroundJobsEndToEndTests.churnRequest)
        let gateway = try #require(Self.gatewayProcess(port: rig.gatewayPort))
        // A new version whose first training sleeps a minute: the leader dies during it.
        let command = "[sh, -c, \"echo run >> \(marks)/runs; if mkdir \(marks)/first 2>/dev/null; then sleep 60; fi; exec python3 trainer/train.py\"]"
        try rig.commit("a trainer that sleeps the first time", "models/churn-predictor.yaml",
                       replacing: "command: [python3, trainer/train.py]", with: "command: \(command)")
        try await Self.waitFor("the trainer to run", replicas: [a, b]) {
            FileManager.default.fileExists(atPath: marks + "/first") && !BackgroundJobsEndToEndTests.processes(containing: "\(marks)/runs").isEmpty
        }
        let trainer = try #require(BackgroundJobsEndToEndTests.processes(containing: "\(marks)/runs").first)
        let trainerGroup = getpgid(trainer)
        let before = try await a.events()
        kill(a.process.pid, SIGKILL)
        let killedAt = ContinuousClock.now
        try await Self.waitFor("b to lead", timeout: .seconds(60), replicas: [a, b]) { await b.metric("sextant_leader") == 1 }
        let takeover = ContinuousClock.now - killedAt
        #expect(takeover < .seconds(20), "b led \(takeover) after the leader was killed")
        #expect(await b.metric("sextant_leader_epoch") == 2)

        // Trained exactly once: v2 serves, the interrupted run and one more, one Trained event for v2.
        try await Self.waitFor("v2 to serve", timeout: .seconds(300), replicas: [a, b]) {
            let model = await b.model(rig.model)
            return model?.model?.stableVersion == 2 && model?.phase == .serving
        }
        let runs = try String(contentsOfFile: marks + "/runs", encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2, "the trainer ran \(runs.count) times: once interrupted by the kill, once to the end")
        let orphanGone = try await eventually(timeout: .seconds(30)) { !BackgroundJobsEndToEndTests.groupAlive(trainerGroup) }
        #expect(orphanGone, "the dead leader's trainer (process group \(trainerGroup)) still runs")

        // No event lost: the new leader's list starts with everything the old one showed, ids only increase.
        let after = try await b.events()
        #expect(Array(after.prefix(before.count).map(\.id)) == before.map(\.id))
        let ids = after.compactMap(\.id)
        #expect(ids.count == after.count && zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "event ids are not strictly increasing")
        let trained = after.filter { $0.reason == .trained && $0.name == rig.model }
        #expect(trained.count == 2, "one Trained for v1 by a, one for v2 by b: \(trained.map(\.message))")
        let newEvents = after.dropFirst(before.count)
        let elected = try #require(newEvents.first { $0.reason == .leaderElected }, "\(newEvents.map(\.reason))")
        #expect(elected.message.hasPrefix("epoch 2: ") && elected.message.contains("took over from \(leader.holder)"), "\(elected.message)")
        #expect(newEvents.contains { $0.reason == .actionInterrupted && $0.name == rig.model })

        // The routes in force are the new term's.
        let stored = try #require(try await database.rows("SELECT record FROM routes").first?.first ?? nil)
        #expect(try JSONDecoder().decode(RoutingTable.self, from: Data(stored.utf8)).epoch == 2, "\(stored)")

        // The gateway kept serving: the same process, and no request failed.
        let tally = await load.stop()
        #expect(tally.ok > 0)
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        #expect(Self.gatewayProcess(port: rig.gatewayPort) == gateway, "the gateway was replaced")
        _ = await b.process.stop(SIGTERM, timeout: .seconds(20))
    }

    @Test("a leader whose connection is cut stops acting before its lease ends; the follower leads; no row of the old epoch is written after the new epoch began; `down --store` waits for no leader",
          .enabled(if: enabled, why), .timeLimit(.minutes(10)))
    func cutLeader() async throws {
        try await Self.withPair(Self.cutLeader)
    }

    static func cutLeader(_ pair: Pair) async throws {
        let (rig, database, a, b) = (pair.rig, pair.database, pair.a, pair.b)

        // Cut: the role may not log in again (else the pool reconnects at once), and its sessions end.
        try await database.execute("ALTER ROLE sextant_a NOLOGIN")
        try await database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'sextant_a' AND datname = current_database()")
        // The lease's expiry, on the database's clock (this host's), read once a can no longer renew it.
        let expiry = try #require(try await database.rows("SELECT extract(epoch FROM expires_at) FROM leader WHERE epoch = 1").first?.first ?? nil)
        let expiresAt = try #require(Double(expiry))
        let stopped = try await eventually(timeout: .seconds(30)) { await a.metric("sextant_leader") == 0 }
        let stoppedAt = Date()
        try #require(stopped, "a still leads 30 s after its connection was cut:\n\(a.log)")
        #expect(stoppedAt.timeIntervalSince1970 < expiresAt, "a stopped acting only after its lease could have ended")

        try await Self.waitFor("b to lead", timeout: .seconds(30), replicas: [a, b]) { await b.metric("sextant_leader") == 1 }
        #expect(await b.metric("sextant_leader_epoch") == 2)
        try await database.execute("ALTER ROLE sextant_a LOGIN")
        try await Self.waitFor("a to follow b", timeout: .seconds(60), replicas: [a, b]) {
            let follows = try await a.get("/readyz").body.hasPrefix("ready: follower of")
            let epoch = await a.metric("sextant_leader_epoch")
            return follows && epoch == 2
        }
        // Let both run a few passes: a, reconnected, must write nothing.
        try await Task.sleep(for: .seconds(5))
        for table in ["events", "actions"] {
            let rows = try await database.rows("""
                SELECT (SELECT max(id) FROM \(table) WHERE epoch = 1), (SELECT min(id) FROM \(table) WHERE epoch = 2),
                       (SELECT count(*) FROM \(table) WHERE epoch = 1 AND id > coalesce((SELECT min(id) FROM \(table) WHERE epoch = 2), 9223372036854775807))
                """)
            #expect(rows.first?.last == "0", "\(table): rows of epoch 1 written after epoch 2's first: \(rows)")
        }
        let elected = try await b.events().filter { $0.reason == .leaderElected }
        #expect(elected.map { $0.message.prefix(9) } == ["epoch 1: ", "epoch 2: "])

        // `down` of the replicas' state: refused while one leads, and without their --store.
        let store = database.url(as: "sextant_a")
        let refused = try await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path, "--store", store])
        #expect(refused.status == 2 && refused.stderr.contains("a replica leads") && refused.stderr.contains("(epoch 2, lease until"), "\(refused.stderr)")
        let withoutStore = try await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path])
        #expect(withoutStore.status == 2 && withoutStore.stderr.contains("give `down` the same --store"), "\(withoutStore.stderr)")
        let elsewhere = try TemporaryDirectory()
        let wrongDirectory = try await runProcess(sextantBinary, ["down", "--state-dir", elsewhere.path, "--store", store])
        #expect(wrongDirectory.status == 2 && wrongDirectory.stderr.contains("is not the state directory of replicas on PostgreSQL"),
                "\(wrongDirectory.stderr)")
        let gateway = try #require(Self.gatewayProcess(port: rig.gatewayPort))
        _ = await a.process.stop(SIGTERM, timeout: .seconds(20))
        _ = await b.process.stop(SIGTERM, timeout: .seconds(20))
        // With the replicas stopped, it takes the lease (epoch 3), stops the data plane and records it.
        let down = try await runProcess(sextantBinary, ["down", "--state-dir", rig.state.path, "--store", store])
        #expect(down.status == 0 && down.stdout.hasPrefix("stopped "), "\(down.stdout)\(down.stderr)")
        let gone = try await eventually(timeout: .seconds(10)) { Self.gatewayProcess(port: rig.gatewayPort) != gateway }
        #expect(gone, "the gateway (pid \(gateway)) still runs")
        let recorded = try await database.rows("SELECT reason, epoch FROM events WHERE reason = 'ServingStopped'")
        #expect(recorded.count == 1 && recorded.first?.last == "3", "\(recorded)")
        #expect(try await database.rows("SELECT count(*) FROM gateway").first?.first == "0")
        #expect(try await database.rows("SELECT count(*) FROM leader WHERE expires_at > now()").first?.first == "0", "down gave the lease back")
    }

    @Test("a leader paused past its lease (SIGSTOP) wakes to find another leading: it steps down, and no row of its epoch follows the new one's (the fence refuses any it tries)",
          .enabled(if: enabled, why), .timeLimit(.minutes(10)))
    func pausedLeader() async throws {
        try await Self.withPair(Self.pausedLeader)
    }

    static func pausedLeader(_ pair: Pair) async throws {
        let (database, a, b) = (pair.database, pair.a, pair.b)

        // Paused longer than the lease: b takes the lease meanwhile, and waits for the state
        // directory a still holds.
        kill(a.process.pid, SIGSTOP)
        try await Self.waitFor("b to take the lease", timeout: .seconds(40), replicas: [a, b]) {
            try await database.rows("SELECT epoch FROM leader").first?.first == "2"
        }
        kill(a.process.pid, SIGCONT)
        try await Self.waitFor("b to lead", timeout: .seconds(60), replicas: [a, b]) { await b.metric("sextant_leader") == 1 }
        try await Self.waitFor("a to follow b", timeout: .seconds(60), replicas: [a, b]) {
            try await a.get("/readyz").body.hasPrefix("ready: follower of")
        }
        #expect(a.log.contains("stopped leading"), "\(a.log)")
        try await Task.sleep(for: .seconds(3))
        for table in ["events", "actions"] {
            let rows = try await database.rows("""
                SELECT count(*) FROM \(table)
                 WHERE epoch = 1 AND id > coalesce((SELECT min(id) FROM \(table) WHERE epoch = 2), 9223372036854775807)
                """)
            #expect(rows.first?.first == "0", "\(table): rows of epoch 1 written after epoch 2's first: \(rows)")
        }
        _ = await a.process.stop(SIGTERM, timeout: .seconds(20))
        _ = await b.process.stop(SIGTERM, timeout: .seconds(20))
    }
}
