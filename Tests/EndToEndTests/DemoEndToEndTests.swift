import Foundation
import Testing
import SextantTestSupport

/// The README's main command, `make demo`, in the shortened mode CI runs: `scripts/demo
/// --fast` with the built binary on free ports, from the scratch repository to the clean-up.
@Suite struct DemoEndToEndTests {
    @Test("scripts/demo --fast: the better model is promoted, the slow server's canary rolled back, no client request fails, every answer's label is accepted, nothing is left behind",
          .timeLimit(.minutes(15)))
    func demo() async throws {
        let run = try await DemoRun("demo")
        let output = run.output, lines = run.lines
        #expect(run.status == 0, "\(output)")
        // The timeline's events (reason, then the daemon's message) and the summary.
        // Act 1: the first revision serves.
        #expect(run.event("Deployed", "r1 (v1)"), "\(output)")
        // Act 2: the retrained model goes through both canary steps, then is promoted.
        #expect(run.event("RolloutStarted", "r2 (v2)"), "\(output)")
        #expect(run.event("StepAdvanced", "r2", "1/2"), "\(output)")
        #expect(run.event("Promoted", "r2"), "\(output)")
        #expect(output.contains("act 2    r2 (v2, l2 0.0001) promoted"), "\(output)")
        // Act 3: the slow server's canary fails its latency objective and traffic returns to r2.
        #expect(run.event("RolloutStarted", "r3 (v2)"), "\(output)")
        #expect(run.event("RolloutAborted", "r3", "p99 under 50 ms"), "\(output)")
        #expect(!run.event("Promoted", "r3"), "\(output)")
        #expect(output.contains("act 3    r3 (v2, 80 ms server) rolled back"), "\(output)")
        #expect(output.contains("none since the rollback"), "\(output)")

        // The clients' table: every revision answered, and no request failed; the answers agree
        // with the truth the clients drew about as often as with the holdout's (accuracy 0.967).
        let rows = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let counts = Dictionary(rows.filter { $0.count == 4 && ($0[0].hasPrefix("r") || ["?", "total"].contains($0[0])) && Int($0[1]) != nil }
            .map { ($0[0], (requests: Int($0[1])!, errors: Int($0[2]) ?? -1, accuracy: Double($0[3]))) }, uniquingKeysWith: { _, last in last })
        for revision in ["r1", "r2", "r3", "total"] {
            #expect((counts[revision]?.requests ?? 0) > 0, "\(revision) answered no request: \(output)")
            #expect(counts[revision]?.errors == 0, "\(revision): \(output)")
        }
        #expect(counts["?"] == nil, "requests that reached no revision: \(output)")
        #expect((counts["total"]?.accuracy ?? 0) > 0.9, "the clients' labels disagree with the answers: \(output)")

        // Feedback: a label for every answer, each accepted by the gateway and written to its
        // feedback segments; act 2 shows online metrics per revision (or that there are none yet)
        // next to the clients' own count.
        let requests = try #require(counts["total"]?.requests, "\(output)")
        let labels = try #require(rows.first { $0.first == "labels" && $0.count == 12 }, "no labels line in the summary: \(output)")
        #expect(labels[1] == "\(requests)" && labels[8] == "\(requests)", "labels sent and accepted, of \(requests) answers: \(output)")
        #expect(output.contains("\(requests) written to state/feedback/fraud-detector/"), "\(output)")
        #expect(output.contains("$ sextant status fraud-detector -o json"), "\(output)")
        // The daemon's online metrics on the clients' labels, per revision.
        #expect(lines.contains { $0.hasPrefix("   r1 ") && $0.contains("%") } && lines.contains { $0.hasPrefix("   r2 ") && $0.contains("%") },
                "act 2 shows no online metrics: \(output)")
        #expect(lines.contains { $0.contains("the clients' own count") && $0.contains(" r1 0.") && $0.contains(" r2 0.") }, "\(output)")

        // Everything stopped: the daemon exited cleanly, the data plane went down, the scratch
        // directory is gone.
        #expect(output.contains("daemon stopped (SIGTERM, exit status 0)"), "\(output)")
        let state = try #require(rows.first { $0.first == "state" }?.last, "\(output)")
        #expect(!FileManager.default.fileExists(atPath: state), "\(state) left behind")
        let work = (state as NSString).deletingLastPathComponent
        #expect(processes(mentioning: work).isEmpty, "processes of \(work) still run: \(processes(mentioning: work))")
    }

    /// Running processes whose command line or working directory mentions `text`: the daemon,
    /// the gateway and `serve-model` name the state directory, a serving command runs in it.
    func processes(mentioning text: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.filter { Int($0) != nil }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: " ")
            let directory = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return command.contains(text) || directory.hasPrefix(text) ? "\(pid): \(command) (in \(directory))" : nil
        }
    }
}
