import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import SextantAPI
import SextantCore
import SextantDaemon
import SextantStore
import SextantTestSupport

/// `sextant run` as built, following a repository served by `git daemon` on 127.0.0.1.
@Suite(.serialized) struct DaemonEndToEndTests {
    /// A served repository, a state directory and a daemon following it.
    final class Fixture: @unchecked Sendable {
        let repository: GitFixture
        let state: TemporaryDirectory
        let logs: TemporaryDirectory
        let gitPort: Int
        let apiPort: Int
        var gitDaemon: BackgroundProcess?
        var daemon: BackgroundProcess?

        init(_ files: [String: String] = ReconcileEndToEndTests.files) throws {
            repository = try GitFixture()
            state = try TemporaryDirectory("sextant-state")
            logs = try TemporaryDirectory("sextant-logs")
            gitPort = try freePort()
            apiPort = try freePort()
            try repository.commit("first", files: files)
        }

        var url: String { "git://127.0.0.1:\(gitPort)/\(URL(fileURLWithPath: repository.path).lastPathComponent)" }
        var api: String { "http://127.0.0.1:\(apiPort)" }

        func startGitDaemon() async throws {
            let base = URL(fileURLWithPath: repository.path).deletingLastPathComponent().path
            // The daemon itself, not the `git` wrapper, so that stopping it stops it.
            let execPath = try await runProcess("/usr/bin/git", ["--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            gitDaemon = try BackgroundProcess(execPath + "/git-daemon", [
                "--reuseaddr", "--export-all", "--base-path=\(base)", "--listen=127.0.0.1", "--port=\(gitPort)", repository.path,
            ], logPath: logs.path + "/git-daemon.log")
            let url = self.url
            let up = try await eventually { try await runProcess("/usr/bin/git", ["ls-remote", url], environment: ["PATH": "/usr/bin:/bin"]).status == 0 }
            guard up else { throw FixtureError("git daemon did not start: \(gitDaemon?.log ?? "")") }
        }

        func stopGitDaemon() async {
            await gitDaemon?.stop(SIGKILL)
            gitDaemon = nil
        }

        func startSextant(_ extra: [String] = []) async throws {
            daemon = try BackgroundProcess(sextantBinary, [
                "run", "--repo", url, "--state-dir", state.path, "--listen", "127.0.0.1:\(apiPort)", "--interval", "1h", "--gateway", "127.0.0.1:\(try freePort())",
                "--fetch-error-grace", "0s", "--log-level", "debug",
            ] + extra, logPath: logs.path + "/sextant-\(UUID().uuidString.prefix(6)).log")
            let ready = try await eventually(timeout: .seconds(30)) { (try? await self.get("/readyz").status) == .ok }
            guard ready else { throw FixtureError("sextant run did not become ready: \(daemon?.log ?? "")") }
        }

        func get(_ path: String) async throws -> (status: HTTPResponseStatus, body: String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: api + path), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (response.status, String(buffer: body))
        }

        func post(_ path: String, body: String = "{}", headers: [(String, String)] = []) async throws -> HTTPResponseStatus {
            var request = HTTPClientRequest(url: api + path)
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: body))
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status
        }

        func status() async throws -> StatusDocument {
            try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(try await get("/api/v1/status").body.utf8))
        }

        func events() async throws -> [Event] {
            try StatusDocument.jsonDecoder().decode([Event].self, from: Data(try await get("/api/v1/events?since=0").body.utf8))
        }

        /// Waits until status reports `commit` as the fetched head.
        func waitForHead(_ commit: String, timeout: Duration = .seconds(10)) async throws -> Bool {
            try await eventually(timeout: timeout) { (try? await self.status().revision.commit) == commit }
        }
    }

    @Test("follows pushes at once on a webhook, follows a force push and records it; SIGTERM exits 0")
    func pushesAndForcePush() async throws {
        let fixture = try Fixture()
        try await fixture.startGitDaemon()
        try await fixture.startSextant()
        let first = try fixture.repository.git("rev-parse", "HEAD")
        #expect(try await fixture.status().revision.appliedCommit == first)

        let second = try fixture.repository.commit("more data", files: ["data/tx.csv": ReconcileEndToEndTests.goodData + "d,3,us,true\n"])
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        #expect(try await fixture.waitForHead(second), "the webhook did not lead to a fetch")
        #expect(try await fixture.status().objects.first { $0.kind == .dataset }?.dataset?.rows == 4)

        // A force push: the branch moves to a commit that does not contain the old head.
        try fixture.repository.git("reset", "-q", "--hard", first)
        let rewritten = try fixture.repository.commit("rewritten", files: ["README.md": "rewritten\n"])
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        #expect(try await fixture.waitForHead(rewritten))
        let forced = try await fixture.events().first { $0.reason == .forcePushed }
        #expect(forced?.message == "main moved from \(second.prefix(7)) to \(rewritten.prefix(7)), which does not contain it (a force push); following it")

        // status --server reads the same document.
        let table = try await runProcess(sextantBinary, ["status", "--server", fixture.api])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("main @ \(rewritten.prefix(7)) \"rewritten\""))
        #expect(await fixture.daemon?.stop(SIGTERM) == 0)
    }

    @Test("a failed fetch keeps the last good commit and shows the error; recovery clears it; both are events")
    func fetchFailureAndRecovery() async throws {
        let fixture = try Fixture()
        try await fixture.startGitDaemon()
        try await fixture.startSextant()
        let applied = try fixture.repository.git("rev-parse", "HEAD")
        await fixture.stopGitDaemon()
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        #expect(try await eventually { (try? await fixture.status().revision.error) != nil })
        let failing = try await fixture.status()
        #expect(failing.revision.appliedCommit == applied)
        #expect(failing.objects.first { $0.kind == .dataset }?.phase == .validated, "the last good state keeps serving")
        #expect(failing.revision.error?.contains("fetch main from git://127.0.0.1:\(fixture.gitPort)") == true, "\(failing.revision.error ?? "")")

        try await fixture.startGitDaemon()
        let next = try fixture.repository.commit("after the outage", files: ["README.md": "back\n"])
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        #expect(try await fixture.waitForHead(next))
        #expect(try await fixture.status().revision.error == nil)
        let reasons = try await fixture.events().map(\.reason)
        #expect(reasons.filter { $0 == .fetchFailed }.count == 1)
        #expect(reasons.contains(.fetchRecovered))
        await fixture.daemon?.stop()
    }

    @Test("with a webhook secret: good signature fetches, bad and missing are 401 and fetch nothing")
    func signedWebhooks() async throws {
        let fixture = try Fixture()
        let secretFile = try fixture.state.write("../secret-\(fixture.apiPort)", "s3cret\n")
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        // A secret others may read is refused, as ssh refuses such a key.
        #expect(chmod(secretFile, 0o644) == 0)
        let refused = try await runProcess(sextantBinary, ["run", "--repo", fixture.repository.path, "--state-dir", fixture.state.path + "/open",
                                                     "--webhook-secret-file", secretFile], environment: ["PATH": "/usr/bin:/bin"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--webhook-secret-file \(secretFile): permissions 644 are too open"), "\(refused.stderr)")
        #expect(refused.stderr.contains("chmod 600 \(secretFile)"))
        #expect(chmod(secretFile, 0o600) == 0)
        try await fixture.startGitDaemon()
        try await fixture.startSextant(["--webhook-secret-file", secretFile])
        let first = try fixture.repository.git("rev-parse", "HEAD")
        let next = try fixture.repository.commit("next", files: ["README.md": "next\n"])
        let body = #"{"ref":"refs/heads/main"}"#
        let good = WebhookSignature(secret: Array("s3cret".utf8)).sign(Array(body.utf8))
        let bad = WebhookSignature(secret: Array("guess".utf8)).sign(Array(body.utf8))
        #expect(try await fixture.post("/api/v1/hooks/git", body: body) == .unauthorized)
        #expect(try await fixture.post("/api/v1/hooks/git", body: body, headers: [("X-Hub-Signature-256", bad)]) == .unauthorized)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await fixture.status().revision.commit == first, "nothing fetched")
        #expect(try await fixture.post("/api/v1/hooks/git", body: body, headers: [("X-Hub-Signature-256", good)]) == .accepted)
        #expect(try await fixture.waitForHead(next))
        let metrics = try await fixture.get("/metrics").body
        #expect(metrics.contains(#"sextant_webhook_requests_total{result="unauthorized"} 2"#))
        #expect(!fixture.daemon!.log.contains("s3cret"), "the secret never reaches the log")
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }
        await fixture.daemon?.stop()
    }

    @Test("kill -9 in the middle of a pass: the restart converges, the journal and events are complete, nothing finished is redone")
    func killDuringPass() async throws {
        // A dataset large enough that its check is still running when the kill arrives.
        var csv = "id,amount,region,label\n"
        for row in 0..<400_000 { csv += "r\(row),\(row % 997).5,\(row % 2 == 0 ? "eu" : "us"),\(row % 7 == 0)\n" }
        var files = ReconcileEndToEndTests.files
        files["data/tx.csv"] = csv
        let fixture = try Fixture(files)
        try await fixture.startGitDaemon()
        fixture.daemon = try BackgroundProcess(sextantBinary, [
            "run", "--repo", fixture.url, "--state-dir", fixture.state.path, "--listen", "127.0.0.1:\(fixture.apiPort)", "--interval", "1h", "--gateway", "127.0.0.1:\(try freePort())",
        ], logPath: fixture.logs.path + "/first.log")
        let started = try await eventually(timeout: .seconds(60)) {
            (try? SQLiteStore(readingFrom: fixture.state.path).journal().contains { $0.state == "started" }) == true
        }
        try #require(started, "the check never started: \(fixture.daemon?.log ?? "")")
        await fixture.daemon?.stop(SIGKILL)

        try await fixture.startSextant()
        #expect(try await eventually(timeout: .seconds(60)) {
            (try? await fixture.status().objects.first { $0.kind == .dataset }?.phase) == .validated
        })
        let journal = try SQLiteStore(readingFrom: fixture.state.path).journal()
        #expect(journal.map(\.state) == ["failed", "succeeded"], "\(journal)")
        #expect(journal.first?.output == "interrupted: the process ended before the action did")
        #expect(journal.map(\.attempt) == [1, 2])
        #expect(Set(journal.map(\.fingerprint)).count == 1, "the same check, finished once")
        let reasons = try await fixture.events().map(\.reason)
        #expect(reasons == [.commitApplied, .actionInterrupted, .datasetValidated], "\(reasons)")

        // Another restart does nothing again.
        await fixture.daemon?.stop()
        try await fixture.startSextant()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try SQLiteStore(readingFrom: fixture.state.path).journal().count == 2)
        #expect(try await fixture.events().count == 3)
        await fixture.daemon?.stop()
    }

    @Test("a second daemon on the same state directory fails clearly")
    func secondDaemon() async throws {
        let fixture = try Fixture()
        try await fixture.startGitDaemon()
        try await fixture.startSextant()
        let second = try await runProcess(sextantBinary, ["run", "--repo", fixture.url, "--state-dir", fixture.state.path, "--listen", "127.0.0.1:\(try freePort())"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("is in use by another sextant process (pid \(fixture.daemon!.pid): sextant run --listen"), "\(second.stderr)")
        await fixture.daemon?.stop()
    }
}
