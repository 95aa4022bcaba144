import Foundation
import SextantAPI
import SextantCore
import SextantTestSupport
import Testing

/// `sextant rollback` (DESIGN §8 "Rollback in Git"): a branch with the Model as it was,
/// written by the daemon into the real repository; merged, the earlier version serves again
/// without training and without steps.
@Suite(.serialized) struct RollbackEndToEndTests {
    static let branch = "sextant/rollback/fraud-detector"

    @Test("sextant rollback writes sextant/rollback/MODEL: one commit on main's head changing only the Model's training line; merged, v1 serves again without training and without steps")
    func rollbackBranch() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}, {pause: {duration: 1s}}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: RolloutEndToEndTests.fraudRequest)
        try rig.commit("a weaker penalty", "models/fraud-detector.yaml",
                       replacing: "    # hyperparameters: {l2: 0.01}", with: "    hyperparameters: {l2: 0.0001}")
        try await rig.waitFor("v2 to be promoted", timeout: .seconds(240)) { rig.status()?.model?.stableVersion == 2 && rig.status()?.phase == .serving }
        let head = try rig.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let rolloutsBefore = rig.events(.rolloutStarted).count

        // Nothing to bring back from an unknown version: refused, named.
        let wrong = try await sextant("rollback", rig.model, "--to", "v9", "--server", "http://127.0.0.1:\(rig.apiPort)")
        #expect(wrong.status == 0, "queued: \(wrong.stderr)")
        try await rig.waitFor("the refusal") { !rig.events(.rollbackRefused).isEmpty }
        #expect(rig.events(.rollbackRefused).first?.message.contains("has no v9; it has v1, v2") == true, "\(rig.events(.rollbackRefused))")

        let asked = try await sextant("rollback", rig.model, "--server", "http://127.0.0.1:\(rig.apiPort)")
        #expect(asked.status == 0 && asked.stdout.contains("rollback of fraud-detector queued"), "\(asked.stdout)\(asked.stderr)")
        try await rig.waitFor("the branch to be written") { !rig.events(.branchPushed).isEmpty }
        let requested = try #require(rig.events(.rollbackRequested).first)
        #expect(requested.message.contains("Roll fraud-detector back to v1 (r1)"), "\(requested.message)")

        // One commit on main's head; only the training line of the Model differs.
        let tip = try rig.repository.git("rev-parse", Self.branch).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try rig.repository.git("rev-parse", "\(Self.branch)^").trimmingCharacters(in: .whitespacesAndNewlines) == head)
        let names = try rig.repository.git("diff", "--name-only", head, Self.branch).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(names == "models/fraud-detector.yaml", "\(names)")
        let diff = try rig.repository.git("diff", "-U0", head, Self.branch)
        let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(changed == ["-    hyperparameters: {l2: 0.0001}   # default l2 is 1/n (scikit-learn's C = 1)",
                            "+    # hyperparameters: {l2: 0.01}   # default l2 is 1/n (scikit-learn's C = 1)"], "\(diff)")
        let log = try rig.repository.git("log", "-1", "--format=%an <%ae>%n%s", Self.branch).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(log == "Sextant <sextant@localhost>\nRoll fraud-detector back to v1 (r1)", "\(log)")
        #expect(try rig.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == head, "main is untouched")
        try await rig.waitFor("the branch in status") { rig.status()?.model?.pullRequests.isEmpty == false }
        let record = try #require(rig.status()?.model?.pullRequests.first)
        #expect(record.purpose == .rollback && record.branch == Self.branch && record.headCommit == tip && record.state == .pushed, "\(record)")

        // Merged: v1 again, no training, no canary.
        let trained = rig.events(.trained).count
        _ = try rig.repository.git("merge", "-q", "--ff-only", Self.branch)
        try await rig.waitFor("v1 to serve again", timeout: .seconds(180)) {
            rig.status()?.model?.stableVersion == 1 && rig.status()?.phase == .serving && rig.status()?.sync == .synced
        }
        let tally = await load.stop()
        #expect(rig.events(.trained).count == trained, "v1 is not trained again")
        #expect(rig.events(.rolloutStarted).count == rolloutsBefore, "no steps: the rollback window brings r1 back at once")
        #expect(rig.status()?.model?.stableRevision == 1, "the same revision: same serving fields")
        try await rig.waitFor("the branch recorded as merged") { rig.status()?.model?.pullRequests.first?.state == .merged }
        #expect(rig.events(.branchMerged).first?.message.contains("\(Self.branch) at \(tip.prefix(7)) is merged") == true, "\(rig.events(.branchMerged))")
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(3))")
    }

    @Test("rollback.gitRevert: pullRequest: a canary aborted by its analysis proposes Git back to what serves (only the slow server's env line goes); merged, Git is true again",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's trainer and server"))
    func revertAfterAbort() async throws {
        let rig = try RolloutEndToEndTests.Rig(example: "python-trainer", model: "churn-predictor", steps: "[{setWeight: 50}, {pause: {duration: 1m}}]",
                                               analysis: "{interval: 1s, minSamples: 20}", extra: "  scaleDownDelay: 1s\n  rollback: {gitRevert: pullRequest}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let body = """
            {"parameters":{"content_type":"pd"},"inputs":[{"name":"tenure_months","datatype":"FP64","shape":[1],"data":[12]},
            {"name":"monthly_charges","datatype":"FP64","shape":[1],"data":[70.5]},{"name":"support_calls","datatype":"FP64","shape":[1],"data":[3]}]}
            """
        let load = RolloutEndToEndTests.Load(port: rig.gatewayPort, model: rig.model, body: body)
        try rig.commit("slow server", "models/churn-predictor.yaml", replacing: "    replicas: 1", with: "    replicas: 1\n    env: {CHURN_DELAY_MS: \"800\"}")
        let head = try rig.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try await rig.waitFor("the rollback") { rig.status()?.phase == .rolloutAborted }
        try await rig.waitFor("the revert branch") { !rig.events(.branchPushed).isEmpty }
        let branch = "sextant/rollback/churn-predictor"
        let requested = try #require(rig.events(.rollbackRequested).first)
        #expect(requested.message.contains("back to v1 (r1)"), "\(requested.message)")
        let diff = try rig.repository.git("diff", "-U0", head, branch)
        let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(changed == [#"-    env: {CHURN_DELAY_MS: "800"}"#], "\(diff)")
        let message = try rig.repository.git("log", "-1", "--format=%B", branch)
        #expect(message.contains("rollback.gitRevert: pullRequest") && message.contains("failed its analysis"), "\(message)")

        _ = try rig.repository.git("merge", "-q", "--ff-only", branch)
        try await rig.waitFor("Git to be true again") { rig.status()?.sync == .synced && rig.status()?.phase == .serving }
        let tally = await load.stop()
        #expect(rig.status()?.model?.stableRevision == 1)
        #expect(rig.events(.rolloutStarted).count == 1, "no canary after the merge")
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(3))")
    }
}
