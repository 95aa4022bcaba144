import Foundation
import SextantTestSupport
import Testing

/// `make demo-drift` in the shortened mode CI runs: `scripts/demo-drift --fast` with the built
/// binary on free ports — drift, a retraining, the candidate's branch merged and rolled out.
@Suite struct DemoDriftEndToEndTests {
    @Test("scripts/demo-drift --fast: no drift, then drift after the shift, a better candidate on sextant/retrain/fraud-detector with its evidence, merged and promoted without training again; no client request fails, nothing is left behind",
          .timeLimit(.minutes(15)))
    func demoDrift() async throws {
        let run = try await DemoRun("demo-drift")
        let output = run.output, lines = run.lines
        #expect(run.status == 0, "\(output)")
        // Act 1 and 2: v1 serves, and traffic like the training data does not drift.
        #expect(run.event("Deployed", "r1 (v1)"), "\(output)")
        #expect(output.contains("dataset drift: no"), "\(output)")
        // Act 3: the shift drifts amount (×3); one retraining, a better candidate, its branch. (Which other
        // features the first detection names depends on how many shifted rows its window holds.)
        let act3 = lines.drop { !$0.hasPrefix("== Act 3") }
        #expect(act3.contains { $0.contains(" s  DriftDetected ") && $0.contains("amount") }, "\(output)")
        #expect(output.contains("dataset drift: yes"), "\(output)")
        #expect(run.event("RetrainTriggered", "dataset drift"), "\(output)")
        #expect(run.event("CandidateReady", "v2 auc", "on the recency holdout vs", "of serving r1", "proposed on sextant/retrain/fraud-detector"), "\(output)")
        #expect(run.event("BranchPushed", "sextant/retrain/fraud-detector"), "\(output)")
        #expect(!run.event("RetrainRejected") && !run.event("RetrainBlocked") && !run.event("RetrainFailed"), "\(output)")
        // Act 4: the branch changes the dataset only and carries the evidence; merged, v2 rolls out.
        #expect(lines.contains { $0.contains("data/transactions.csv |") }, "\(output)")
        #expect(output.contains("**Better**: v2 auc"), "\(output)")
        #expect(output.contains("$ git merge --ff-only sextant/retrain/fraud-detector"), "\(output)")
        #expect(run.event("RolloutStarted", "r2 (v2)"), "\(output)")
        #expect(run.event("Promoted", "r2"), "\(output)")
        #expect(output.contains("act 4    r2 (v2, retrained) promoted"), "\(output)")

        // The candidate is better on the recency holdout by the numbers it printed.
        let verdict = try #require(lines.first { $0.contains("CandidateReady") }, "\(output)")
        let numbers = verdict.split(separator: " ").compactMap { Double($0) }
        #expect(numbers.count >= 2 && numbers[0] > numbers[1], "\(verdict)")

        // The clients: none failed, every label accepted.
        let rows = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let total = try #require(rows.first { $0.first == "total" && $0.count == 4 }, "\(output)")
        #expect(Int(total[1]) ?? 0 > 0 && total[2] == "0", "\(output)")
        #expect(output.contains("labels   \(total[1]) sent to the gateway's feedback endpoint, \(total[1]) accepted, 0 not"), "\(output)")

        // Everything stopped and the scratch directory is gone.
        #expect(output.contains("daemon stopped (SIGTERM, exit status 0)"), "\(output)")
        let state = try #require(rows.first { $0.first == "state" }?.last, "\(output)")
        #expect(!FileManager.default.fileExists(atPath: state), "\(state) left behind")
        let work = (state as NSString).deletingLastPathComponent
        #expect(DemoEndToEndTests().processes(mentioning: work).isEmpty, "processes of \(work) still run")
    }
}
