import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantTestSupport

/// `status --watch` and `get MODEL --watch` on a real terminal (a tmux pane) at 80 and 120
/// columns, and `get` on a model mid-canary, against the quickstart reconciled by `reconcile --once`.
@Suite(.serialized) struct StatusViewEndToEndTests {
    static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A detached tmux session on a server of its own, so no user's session is touched.
    final class Pane {
        let socket = "sextant-test-\(UUID().uuidString.prefix(8))"
        let width: Int

        init(width: Int, height: Int, _ arguments: [String]) async throws {
            self.width = width
            let command = ([sextantBinary] + arguments).map { "'\($0)'" }.joined(separator: " ")
            // Through a shell that waits for the tmux client (Foundation does not see that client
            // exit) and closes every inherited descriptor first: the tmux server stays behind, and
            // must hold none of this process's pipes, or reading them would never end.
            let closeAll = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; "$0" "$@" </dev/null >/dev/null 2>&1"#
            let started = try await runProcess("/bin/bash", ["-c", closeAll, StatusViewEndToEndTests.tmux!,
                                                     "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", command + "; sleep 30"],
                                         environment: Self.environment)
            try #require(started.status == 0, "tmux new-session failed")
        }

        static let environment = ["PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8"]

        /// Ends the session and its server (the watched command gets SIGHUP). The server is
        /// also killed by its pid: `kill-server` alone has left servers behind here.
        func close() {
            let tmux = { (arguments: [String]) in
                try runProcessBlocking(StatusViewEndToEndTests.tmux!, ["-L", self.socket, "-f", "/dev/null"] + arguments, environment: Self.environment)
            }
            let pid = (try? tmux(["display-message", "-p", "#{pid}"]))?.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try? tmux(["kill-server"])
            if let pid = pid.flatMap({ Int32($0) }), pid > 1 { kill(pid, SIGKILL) }
        }

        func tmux(_ arguments: [String]) async throws -> ProcessOutput {
            try await runProcess(StatusViewEndToEndTests.tmux!, ["-L", socket, "-f", "/dev/null"] + arguments, environment: Self.environment)
        }

        /// What the screen shows, one string a row (tmux trims trailing spaces).
        func screen() async throws -> [String] {
            let captured = try await tmux(["capture-pane", "-p"])
            var rows = captured.stdout.components(separatedBy: "\n")
            while rows.last == "" { rows.removeLast() }
            return rows
        }

        /// The screen once `condition` holds (within 20 s), for the assertions to show.
        func waitFor(timeout: Duration = .seconds(20), _ condition: ([String]) -> Bool) async throws -> [String] {
            var rows: [String] = []
            _ = try await eventually(timeout: timeout) {
                rows = try await self.screen()
                return condition(rows)
            }
            return rows
        }
    }

    static func reconciledQuickstart() async throws -> ModelLifecycleEndToEndTests.Setup {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let reconciled = try await setup.reconcile()
        try #require(reconciled.status == 0, "\(reconciled.stderr)")
        return setup
    }

    /// Every object on one row that ends with its age, under the header line and the column titles.
    static func checkTable(_ rows: [String], width: Int, _ comment: Comment) {
        #expect(rows.first?.hasPrefix("main @ ") == true, comment)
        #expect(rows.count > 2 && rows[2].hasPrefix("KIND "), comment)
        let objects = rows.dropFirst(3).filter { !$0.isEmpty }
        #expect(objects.count == 6, comment)
        for (row, kind) in zip(objects, ["Model", "Dataset", "DataCon", "SLO", "SLO", "Rollout"]) {
            #expect(row.hasPrefix(kind), comment)
            #expect(row.range(of: #"  ?[0-9]+[smhd]$"#, options: .regularExpression) != nil, "a row that does not end with its age wrapped: \(row)")
        }
        #expect(rows.allSatisfy { $0.count <= width }, comment)
    }

    @Test("status --watch keeps the header on the first row and every object on one row at 80 and 120 columns, tick after tick",
          .enabled(if: tmux != nil, "needs tmux (Debian package tmux; scripts/bootstrap installs it)"), arguments: [80, 120])
    func statusWatch(width: Int) async throws {
        let setup = try await Self.reconciledQuickstart()
        let pane = try await Pane(width: width, height: 30, ["status", "--watch", "--state-dir", setup.state.path])
        defer { pane.close() }
        var rows = try await pane.waitFor { $0.count >= 9 && $0.last?.hasPrefix("Rollout") == true }
        Self.checkTable(rows, width: width, "first frame:\n\(rows.joined(separator: "\n"))")
        // Several redraws later (every 2 s), still in place: nothing scrolled away.
        try await Task.sleep(for: .seconds(5))
        rows = try await pane.screen()
        Self.checkTable(rows, width: width, "after 5 s:\n\(rows.joined(separator: "\n"))")
        #expect(!rows.contains { $0.contains("\u{1B}") })
        // Ctrl-C leaves the alternate screen: the shell's screen is back, without the table.
        _ = try await pane.tmux(["send-keys", "C-c"])
        // Generous: on a loaded machine the process may take long to be scheduled.
        let restored = try await pane.waitFor(timeout: .seconds(60)) { !$0.contains { $0.hasPrefix("KIND ") } }
        #expect(!restored.contains { $0.hasPrefix("KIND ") }, "\(restored)")
    }

    @Test("get MODEL --watch fits 80 and 120 columns, its summary on top, tick after tick",
          .enabled(if: tmux != nil, "needs tmux (Debian package tmux; scripts/bootstrap installs it)"), arguments: [80, 120])
    func getWatch(width: Int) async throws {
        let setup = try await Self.reconciledQuickstart()
        let pane = try await Pane(width: width, height: 30, ["get", "fraud-detector", "--watch", "--state-dir", setup.state.path])
        defer { pane.close() }
        let complete: ([String]) -> Bool = { rows in rows.contains { $0.hasPrefix("Events (newest first):") } }
        var rows = try await pane.waitFor(complete)
        try await Task.sleep(for: .seconds(5))
        rows = try await pane.screen()
        let shown = rows.joined(separator: "\n")
        #expect(rows.first == "Name:      fraud-detector", "\(shown)")
        #expect(rows.contains("Status:    Healthy, Synced, Serving"), "\(shown)")
        #expect(rows.contains { $0.range(of: #"^  r1 +stable +0 +[0-9]+ +[0-9]+ +ready "#, options: .regularExpression) != nil }, "the replica row: \(shown)")
        #expect(rows.contains { $0.contains("Deployed") }, "\(shown)")
        #expect(complete(rows) && rows.count <= 30 && rows.allSatisfy { $0.count <= width }, "\(shown)")
    }

    @Test("a model mid-canary: get shows the steps with the current one, the pause, each objective's verdict, both revisions' replicas; -o json has them; a typo gets a suggestion")
    func midCanary() async throws {
        let setup = try await Self.reconciledQuickstart()
        let file = setup.repository.path + "/models/fraud-detector.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try #require(text.contains("# hyperparameters: {l2: 0.01}"))
        try setup.repository.commit("a weaker L2 penalty", files: ["models/fraud-detector.yaml": text.replacingOccurrences(
            of: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")])
        // No traffic: the canary stays at its first step, inconclusive.
        let reconciled = try await setup.reconcile()
        let model = try setup.model(reconciled, "fraud-detector")
        try #require(model.phase == .rollingOut, "\(model.message)\n\(reconciled.stderr)")
        #expect(model.message.hasPrefix("step 1/2: 10% to r2 (v2)"), "\(model.message)")

        let json = try await setup.run(["get", "fraud-detector", "-o", "json", "--state-dir", setup.state.path])
        #expect(json.status == 0, "\(json.stderr)")
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let object = try #require(detail["model"] as? [String: Any])
        let rollout = try #require(object["rollout"] as? [String: Any])
        let steps = try #require(rollout["policySteps"] as? [[String: Any]])
        #expect(steps.map { $0["state"] as? String } == ["current", "pending"])
        #expect(steps.map { $0["weight"] as? Int } == [10, 50])
        #expect(steps.map { $0["pauseSeconds"] as? Double } == [30, 60])
        let started = try #require((rollout["stepStartedAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        let pauseUntil = try #require((rollout["pauseUntil"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        #expect(pauseUntil.timeIntervalSince(started) == 30)
        let objectives = try #require(rollout["objectives"] as? [[String: Any]])
        #expect(Set(objectives.compactMap { $0["slo"] as? String }) == ["fraud-latency", "fraud-errors"])
        #expect(objectives.allSatisfy { $0["verdict"] as? String == "Inconclusive" && $0["samples"] as? Int == 0 })
        let replicas = try #require(object["replicas"] as? [[String: Any]])
        #expect(replicas.compactMap { $0["role"] as? String }.sorted() == ["candidate", "stable"])
        #expect(replicas.allSatisfy { ($0["pid"] as? Int ?? 0) > 0 && ($0["port"] as? Int ?? 0) > 0 })
        let events = try #require(detail["events"] as? [[String: Any]])
        #expect(events.contains { $0["reason"] as? String == "RolloutStarted" })

        let shown = try await runProcess(sextantBinary, ["get", "fraud-detector", "--state-dir", setup.state.path],
                                   environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "120"])
        #expect(shown.status == 0, "\(shown.stderr)")
        for expected in ["Status:    Progressing, OutOfSync, RollingOut", "Strategy:  canary (policy canary-10-50)", "Candidate: v2 (r2)",
                         "Step:      1/2 for ", "► 1  canary  10%  pause 30s", "○ 2  canary  50%  pause 1m",
                         "Analysis: Inconclusive, 0 failed verdicts of 0 allowed:", "RolloutStarted"] {
            #expect(shown.stdout.contains(expected), "missing \(expected):\n\(shown.stdout)")
        }
        #expect(shown.stdout.contains("s left of 30s") || shown.stdout.contains("pause of 30s over"), "\(shown.stdout)")
        #expect(shown.stdout.split(separator: "\n").allSatisfy { $0.count <= 120 })

        let policy = try await setup.run(["status", "RolloutPolicy/canary-10-50", "-o", "json", "--state-dir", setup.state.path])
        #expect(policy.stdout.contains("canary: 2 steps (10% for 30s, 50% for 1m)"), "\(policy.stdout)")

        let typo = try await setup.run(["get", "fraud-detectr", "--state-dir", setup.state.path])
        #expect(typo.status == 2)
        #expect(typo.stderr == "error: no model named \"fraud-detectr\"; did you mean \"fraud-detector\"?\n")
        let statusTypo = try await setup.run(["status", "fraud-detectr", "--state-dir", setup.state.path])
        #expect(statusTypo.status == 2)
        #expect(statusTypo.stderr == "error: no object named \"fraud-detectr\"; did you mean \"fraud-detector\"?\n")
    }
}
