import Foundation
import SextantAPI
import SextantCore
import SextantTestSupport
import Testing

/// Retraining with the real binary (DESIGN §7): a served model whose answers are wrong on
/// live traffic, clients that post the truth, and an `accuracy` trigger: one
/// `RetrainTriggered`, one candidate trained on the dataset plus the labelled rows, judged
/// on the recency holdout against what the serving revision answered.
@Suite(.serialized) struct RetrainEndToEndTests {
    @Test("an accuracy drop retrains once: the candidate, trained on the feedback table, beats the wrong serving revision on the recency holdout and never serves by itself",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's plain-Python server"))
    func accuracyRetrains() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        let model = try String(contentsOfFile: rig.repository.path + "/models/fraud-detector.yaml", encoding: .utf8)
        let contract = try String(contentsOfFile: rig.repository.path + "/contracts/transactions.odcs.yaml", encoding: .utf8)
        try rig.repository.commit("served wrong on live traffic, retrained on labels", files: [
            "serving/server.py": try String(contentsOfFile: packageRoot + "/examples/python-server/server.py", encoding: .utf8),
            "models/fraud-detector.yaml": model
                .replacingOccurrences(of: "    runtime: builtin                # Sextant's own Open Inference Protocol v2 server",
                                      with: "    runtime: command\n    command: [python3, serving/server.py]\n    env: {INVERT_LIVE: \"1\"}")
                .replacingOccurrences(of: "      - {metric: demographicParityRatio, sensitiveFeature: region, min: 0.8}\n", with: "")
                + "  monitoring:\n    drift: {interval: 1s}\n"
                + "    retrain: {on: [accuracy], accuracy: {metric: accuracy, below: 0.9}, minRows: 100, cooldown: 1h}\n",
            // Production logs the features and the label only: the id and the region may be empty.
            "contracts/transactions.odcs.yaml": contract
                .replacingOccurrences(of: "        required: true\n        unique: true\n        primaryKey: true\n        primaryKeyPosition: 1\n", with: "        unique: true\n")
                .replacingOccurrences(of: "        required: true\n        classification: restricted\n", with: "        classification: restricted\n"),
        ])
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }

        let rows = Array(try OnlineAccuracyEndToEndTests.transactions().prefix(150))
        let clients = LabellingClients(port: rig.gatewayPort, model: rig.model, rows: rows, once: true)
        try await rig.waitFor("the retraining to start", timeout: .seconds(180)) { !rig.events(.retrainTriggered).isEmpty }
        try await rig.waitFor("the candidate's verdict", timeout: .seconds(240)) {
            !rig.events(.candidateReady).isEmpty || !rig.events(.retrainRejected).isEmpty || !rig.events(.retrainBlocked).isEmpty
                || !rig.events(.retrainFailed).isEmpty
        }
        let tally = await clients.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")

        let triggered = try #require(rig.events(.retrainTriggered).first)
        #expect(triggered.message.contains("online accuracy") && triggered.message.contains("below 0.9"), "\(triggered.message)")
        let ready = try #require(rig.events(.candidateReady).first, "\(rig.events(.retrainRejected)) \(rig.events(.retrainBlocked)) \(rig.events(.retrainFailed))")
        #expect(ready.message.hasPrefix("v2 "), "\(ready.message)")
        #expect(ready.message.contains("on the recency holdout"), "\(ready.message)")

        try await rig.waitFor("status to show the candidate") { rig.status()?.model?.retrain?.candidate != nil }
        let status = try #require(rig.status())
        #expect(status.model?.stableRevision == 1, "a candidate never serves by itself")
        let candidate = try #require(status.model?.retrain?.candidate)
        let evidence = try #require(candidate.evidence)
        #expect(evidence.data.addedRows >= 80 && evidence.data.recencyRows >= 20, "\(evidence.data)")
        let table = rig.state.path + "/datasets/sextant/fraud-detector/\(evidence.data.sha256).csv"
        let text = try String(contentsOfFile: table, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1 + evidence.data.datasetRows + evidence.data.addedRows)
        let recency = try #require(evidence.metrics.first { $0.metric == "accuracy" }?.recency)
        #expect((recency.candidate ?? 0) > 0.8 && (recency.serving ?? 1) < 0.2, "the serving revision's logged answers were inverted: \(recency)")

        // Still wrong a few checks later: inside the cooldown, nothing fires again.
        try await Task.sleep(for: .seconds(3))
        #expect(rig.events(.retrainTriggered).count == 1)
        let condition = try #require(rig.status()?.conditions.first { $0.type == "Retrain" })
        #expect(condition.message.contains("cooling down until"), "\(condition.message)")

        // The change: one commit on sextant/retrain/MODEL, the table at the dataset's path.
        let branch = "sextant/retrain/fraud-detector"
        try await rig.waitFor("the branch to be written") { !rig.events(.branchPushed).isEmpty || !rig.events(.proposeFailed).isEmpty }
        #expect(ready.message.hasSuffix("; proposed on \(branch)"), "\(ready.message)")
        let head = try rig.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let names = try rig.repository.git("diff", "--name-only", head, branch).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(names == "data/transactions.csv", "only the dataset changes: \(names)")
        #expect(try rig.repository.git("rev-parse", "\(branch):data/transactions.csv") == rig.repository.git("hash-object", table),
                "the committed file is the table, byte for byte")
        let subject = try rig.repository.git("log", "-1", "--format=%s", branch)
        #expect(subject.hasPrefix("Retrain fraud-detector: v2 on transactions (sha256 \(evidence.data.sha256.prefix(12)))"), "\(subject)")

        // Merged, the candidate's version is found by its training fingerprint: not trained again.
        _ = try rig.repository.git("merge", "-q", "--ff-only", branch)
        try await rig.waitFor("v2 to be what Git asks for") { rig.status()?.model?.candidateVersion == 2 || rig.status()?.model?.stableVersion == 2 }
        #expect(rig.events(.trained).count == 2, "v1, then the candidate once: \(rig.events(.trained).map(\.message))")
    }
}
