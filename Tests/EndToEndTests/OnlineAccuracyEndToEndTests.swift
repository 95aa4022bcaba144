import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
import SextantCore
import SextantTestSupport
import Synchronization
import Testing

/// The feedback loop judging a rollout (DESIGN §7, "Online metrics"): clients send rows
/// whose truth they know and post the labels; a canary that answers fast but wrong is
/// rolled back by an `accuracy` SLO, while the stable revision's clients see no error.
@Suite(.serialized) struct OnlineAccuracyEndToEndTests {
    static let accuracySLO = """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: fraud-accuracy}
        spec:
          service: fraud-detector
          indicator:
            metadata: {name: fraud-accuracy}
            spec:
              thresholdMetric: {metricSource: {type: sextant, spec: {metric: accuracy}}}
          timeWindow: [{duration: 5m, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{displayName: 90% of labelled answers right, target: 0.9}]
        """

    @Test("a canary answering fast but wrong is rolled back by an accuracy SLO once labels arrive; stable's clients see no error",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the example's plain-Python server"))
    func wrongCanaryRollsBack() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}, {pause: {duration: 10m}}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let clients = LabellingClients(port: rig.gatewayPort, model: rig.model, rows: try Self.transactions())

        // One commit: the same model served by a server that is wrong on live traffic only
        // (it passes its gates), and the accuracy SLO.
        let model = try String(contentsOfFile: rig.repository.path + "/models/fraud-detector.yaml", encoding: .utf8)
        try rig.repository.commit("a server wrong on live traffic, judged on labels", files: [
            "serving/server.py": try String(contentsOfFile: packageRoot + "/examples/python-server/server.py", encoding: .utf8),
            "slos/fraud-accuracy.yaml": Self.accuracySLO,
            "models/fraud-detector.yaml": model
                .replacingOccurrences(of: "    runtime: builtin                # Sextant's own Open Inference Protocol v2 server",
                                      with: "    runtime: command\n    command: [python3, serving/server.py]\n    env: {INVERT_LIVE: \"1\"}")
                .replacingOccurrences(of: "slos: [fraud-latency, fraud-errors]", with: "slos: [fraud-latency, fraud-errors, fraud-accuracy]"),
        ])
        try await rig.waitFor("the canary to start") { rig.status()?.model?.rollout != nil || !rig.events(.rolloutAborted).isEmpty }
        try await rig.waitFor("the rollback") { rig.status()?.phase == .rolloutAborted }
        let tally = await clients.stop()

        let aborted = try #require(rig.events(.rolloutAborted).first)
        #expect(aborted.message.contains("90% of labelled answers right"), "\(aborted.message)")
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        #expect((tally.answers["2"] ?? 0) > 0, "the candidate took traffic before the rollback")
        #expect(tally.rejectedLabels == 0, "the gateway took every label")
        #expect(rig.status()?.model?.traffic.map(\.revision) == [1])
        // What the clients saw agrees with what the daemon measured: r1 right, r2 wrong.
        #expect(tally.accuracy("1").map { $0 > 0.9 } == true, "r1's answers: \(tally)")
        #expect(tally.accuracy("2").map { $0 < 0.5 } == true, "r2's answers: \(tally)")
        let online = try #require(rig.status()?.model?.online)
        let stable = try #require(online.first { $0.revision == 1 })
        #expect(stable.labelledRows > 0 && (stable.metrics["accuracy"] ?? 0) > 0.9, "\(online)")
        #expect((online.first { $0.revision == 2 }?.metrics["accuracy"] ?? 1) < 0.5, "\(online)")
    }

    @Test("inputs breaking the data contract on live traffic: counted per column and rule, LiveDataInvalid over 1%; online metrics and violations on /metrics, promtool-valid; history and get show them")
    func liveContract() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        // 40 labelled rows, 5 of them with a negative amount (the contract's minimum is 0).
        var rows = Array(try Self.transactions().prefix(40))
        for index in 0..<5 { rows[index * 8].features["amount"] = -12.5 }
        let clients = LabellingClients(port: rig.gatewayPort, model: rig.model, rows: rows, once: true)
        try await rig.waitFor("every row answered and its label posted") { clients.finished(rows.count) }
        let tally = await clients.stop()
        #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
        try await rig.waitFor("the daemon to read every row") { rig.status()?.model?.liveContract?.rows == rows.count }

        let status = try #require(rig.status())
        let condition = try #require(status.conditions.first { $0.type == "LiveDataInvalid" })
        #expect(condition.message.contains("amount: minimum 0 broken by"), "\(condition.message)")
        let live = try #require(status.model?.liveContract)
        let minimum = try #require(live.violations.first { $0.column == "amount" && $0.rule == "minimum" }, "\(live)")
        #expect(minimum.total == 5 && minimum.rows == 5, "\(live)")
        try await rig.waitFor("the labels to be joined") { (rig.status()?.model?.online.first?.labelledRows ?? 0) >= 40 }

        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(rig.apiPort)/metrics"), timeout: .seconds(10))
        let metrics = String(buffer: try await response.body.collect(upTo: 8 << 20))
        #expect(metrics.contains(#"sextant_live_contract_violations_total{model="fraud-detector",column="amount",rule="minimum"} 5"#), "\(metrics)")
        #expect(metrics.contains(#"sextant_model_online_metric{model="fraud-detector",revision="1",metric="accuracy"}"#), "\(metrics)")
        if PeerTool.promtool.isInstalled {
            let checked = try await PeerTool.checkMetrics(metrics)
            #expect(checked.status == 0, "promtool: \(checked.stdout)\(checked.stderr)")
        }
        let history = try await sextant("history", rig.model, "--state-dir", rig.state.path)
        #expect(history.stdout.contains("accuracy 0.") && history.stdout.contains("of 40 labelled"), "\(history.stdout)")
        let get = try await sextant("get", rig.model, "--state-dir", rig.state.path)
        #expect(get.stdout.contains("Online (labelled production rows):") && get.stdout.contains("Live data contract"), "\(get.stdout)")
    }

    /// The quickstart's labelled rows: features as the model takes them, and the truth.
    static func transactions() throws -> [(features: [String: Double], truth: Bool)] {
        let text = try String(contentsOfFile: packageRoot + "/examples/quickstart/data/transactions.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        return lines.dropFirst().prefix(400).map { fields in
            let features = ["amount", "hour", "merchant_risk", "account_age_days"].map { ($0, Double(fields[column($0)])!) }
            return (Dictionary(uniqueKeysWithValues: features), fields[column("is_fraud")] == "true")
        }
    }
}

/// Clients that send one labelled row per request, remember what each answer said, and
/// post the truths as feedback every quarter of a second.
final class LabellingClients: Sendable {
    struct Tally: Sendable, CustomStringConvertible {
        var failed: [String] = []
        /// Answers per revision, and how many of them were right.
        var answers: [String: Int] = [:]
        var right: [String: Int] = [:]
        var rejectedLabels = 0
        /// A batch of labels is on its way.
        var posting = false

        func accuracy(_ revision: String) -> Double? {
            answers[revision].flatMap { $0 == 0 ? nil : Double(right[revision] ?? 0) / Double($0) }
        }

        var description: String { "answers \(answers), right \(right), failed \(failed.count)" }
    }

    let tally = Mutex(Tally())
    private let pending = Mutex<[(id: String, truth: Bool)]>([])
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// `once`: each row is sent one time, then the clients only post the labels left.
    init(port: Int, model: String, rows: [(features: [String: Double], truth: Bool)], once: Bool = false) {
        let running = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.send(port: port, model: model, rows: rows, once: once) }
                group.addTask { await self.label(port: port, model: model) }
            }
        }
        task.withLock { $0 = running }
    }

    private func send(port: Int, model: String, rows: [(features: [String: Double], truth: Bool)], once: Bool) async {
        var index = 0
        while !Task.isCancelled && (!once || index < rows.count) {
            let (features, truth) = rows[index % rows.count]
            let id = "accuracy-test-\(index)"
            index += 1
            let inputs = features.sorted { $0.key < $1.key }.map { name, value in
                #"{"name":"\#(name)","datatype":"FP64","shape":[1],"data":[\#(value)]}"#
            }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/models/\(model)/infer")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Request-Id", value: id)
            request.body = .bytes(ByteBuffer(string: #"{"inputs":[\#(inputs.joined(separator: ","))]}"#))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                let revision = response.headers.first(name: "X-Sextant-Revision") ?? "none"
                guard response.status == .ok else {
                    tally.withLock { $0.failed.append("HTTP \(response.status.code) from r\(revision): \(body)") }
                    continue
                }
                let said = Self.predicted(body)
                tally.withLock {
                    $0.answers[revision, default: 0] += 1
                    if said == truth { $0.right[revision, default: 0] += 1 }
                }
                pending.withLock { $0.append((id, truth)) }
            } catch {
                if Task.isCancelled { return }
                tally.withLock { $0.failed.append("\(error)") }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The label an answer gives its one row (`predict`'s first value).
    static func predicted(_ body: String) -> Bool? {
        let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let outputs = answer?["outputs"] as? [[String: Any]] ?? []
        return (outputs.first { $0["name"] as? String == "predict" }?["data"] as? [Any])?.first as? Bool
    }

    private func label(port: Int, model: String) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            // Marked as posting before the batch leaves `pending`: `finished` never sees neither.
            tally.withLock { $0.posting = true }
            defer { tally.withLock { $0.posting = false } }
            let batch = pending.withLock { items in defer { items.removeAll() }; return items }
            guard !batch.isEmpty else { continue }
            let items = batch.map { #"{"id":"\#($0.id)","truth":\#($0.truth)}"# }.joined(separator: ",")
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/models/\(model)/feedback")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"feedback":[\#(items)]}"#))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                if response.status != .accepted || !body.contains(#""rejected":[]"#) {
                    tally.withLock { $0.rejectedLabels += batch.count; $0.failed.append("feedback: HTTP \(response.status.code): \(body)") }
                }
            } catch {
                if Task.isCancelled { return }
                tally.withLock { $0.failed.append("feedback: \(error)") }
            }
        }
    }

    /// Whether `rows` answers came back and every label was posted.
    func finished(_ rows: Int) -> Bool {
        let answered = tally.withLock { $0.answers.values.reduce(0, +) + $0.failed.count }
        // `pending` first, then `posting`: a batch taken in between is still seen posting.
        let unsent = pending.withLock { !$0.isEmpty }
        return answered >= rows && !unsent && !tally.withLock { $0.posting }
    }

    func stop() async -> Tally {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        return tally.withLock { $0 }
    }
}
