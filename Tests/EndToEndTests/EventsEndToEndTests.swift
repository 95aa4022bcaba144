import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// `sextant events` and the exposure `history` records, as built, against the quickstart.
@Suite(.serialized) struct EventsEndToEndTests {
    static func events(_ output: ProcessOutput) throws -> [Event] {
        try StatusDocument.jsonDecoder().decode([Event].self, from: Data(output.stdout.utf8))
    }

    @Test("events of a reconciled quickstart: all of them aligned, one model's by kind as JSON, since an id, and a mistyped kind named")
    func reconciledQuickstart() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let reconciled = try await setup.reconcile()
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        let state = ["--state-dir", setup.state.path]

        let table = try await setup.run(["events"] + state)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        #expect(header.hasPrefix("ID  TIME"), "\(header)")
        let reasonColumn = try #require(header.range(of: "REASON")).lowerBound.utf16Offset(in: header)
        let messageColumn = try #require(header.range(of: "MESSAGE")).lowerBound.utf16Offset(in: header)
        for line in lines.dropFirst() {
            #expect(line.utf16.count > messageColumn && line[line.index(line.startIndex, offsetBy: reasonColumn - 1)] == " "
                        && line[line.index(line.startIndex, offsetBy: reasonColumn)] != " ", "REASON column misaligned: \(line)")
        }
        for reason in ["CommitApplied", "GatewayStarted", "DatasetValidated", "Trained", "Evaluated", "Packaged", "Deployed"] {
            #expect(lines.contains { $0.contains("  \(reason)  ") }, "no \(reason) row:\n\(table.stdout)")
        }

        let model = try await setup.run(["events", "fraud-detector", "--kind", "Model", "-o", "json"] + state)
        #expect(model.status == 0, "\(model.stderr)")
        let modelEvents = try Self.events(model)
        #expect(modelEvents.map(\.reason) == [.trained, .evaluated, .packaged, .deployed])
        #expect(modelEvents.allSatisfy { $0.kind == .model && $0.name == "fraud-detector" && $0.commit != nil && $0.actor == "sextant" })
        #expect(zip(modelEvents, modelEvents.dropFirst()).allSatisfy { $0.id! < $1.id! && $0.time <= $1.time }, "ids and times increase")
        let stored = try SQLiteStore(readingFrom: setup.state.path).events(name: "fraud-detector", kind: .model)
        #expect(modelEvents.map(\.id) == stored.map(\.id) && modelEvents.map(\.message) == stored.map(\.message), "the store's events, as the API gives them")

        let named = try await setup.run(["events", "transactions"] + state)
        #expect(named.stdout.contains("DatasetValidated") && !named.stdout.contains("Trained"), "\(named.stdout)")
        let repository = try Self.events(try await setup.run(["events", "--kind", "repository", "-o", "json"] + state))
        #expect(repository.map(\.reason) == [.commitApplied])
        let later = try await setup.run(["events", "--since", String(modelEvents.last!.id!)] + state)
        #expect(later.status == 0 && later.stdout == "no events\n", "\(later.stdout)")
        let nobody = try await setup.run(["events", "fraud-detecter"] + state)
        #expect(nobody.stdout == "no events of fraud-detecter\n")

        let mistyped = try await setup.run(["events", "--kind", "Modle"] + state)
        #expect(mistyped.status != 0)
        #expect(mistyped.stderr.contains("--kind Modle is not a kind of event; use one of Model, Dataset, DataContract, SLO, RolloutPolicy, Repository, Gateway, Store"),
                "\(mistyped.stderr)")
        let missing = try await setup.run(["events", "--state-dir", setup.state.path + "/nope"])
        #expect(missing.status == 2 && missing.stderr.contains("no such state directory"), "\(missing.stderr)")
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = "http://127.0.0.1:\(refusing.port)"
        let unreachable = try await setup.run(["events", "--server", closed])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr == "error: cannot reach the daemon at \(closed) (connection refused): is \"sextant run\" running with --listen \(closed.dropFirst(7))?\n",
                "one line naming the flag and the URL: \(unreachable.stderr)")
    }

    @Test("events --follow prints what happens after it started (from the daemon's API and from the state directory); history shows the aborted canary's exposure and peak")
    func followAndExposure() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 20}, {setWeight: 60}]", analysis: "{interval: 1s, minSamples: 20, maxStepDuration: 3s}")
        try rig.startDaemon()
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let environment = ["PATH": "/usr/bin:/bin"]
        let fromServer = try BackgroundProcess(sextantBinary, ["events", rig.model, "--follow", "--server", "http://127.0.0.1:\(rig.apiPort)"],
                                               logPath: rig.state.path + "/../follow-server-\(rig.apiPort).log", environment: environment)
        let fromStore = try BackgroundProcess(sextantBinary, ["events", "--kind", "Model", "--follow", "-o", "json", "--state-dir", rig.state.path],
                                              logPath: rig.state.path + "/../follow-store-\(rig.apiPort).log", environment: environment)
        try await rig.waitFor("the followers to print what happened before", timeout: .seconds(20)) {
            fromServer.log.contains("Deployed") && fromStore.log.contains("\"Deployed\"")
        }
        #expect(fromServer.log.hasPrefix("ID     TIME"), "\(fromServer.log)")
        // The Server-Sent Events stream, as a browser's EventSource reads it, from event 5 on.
        let stream = try await RawHTTPConnection.open(port: rig.apiPort, sending: """
            GET /api/v1/events/stream?name=\(rig.model)&kind=Model HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: 5\r\n\r\n
            """)
        #expect(!fromServer.log.contains("RolloutStarted") && !fromStore.log.contains("AbortRequested"))

        // A new version: its canary takes 20%, finds no traffic, and pauses; a person aborts it.
        try rig.commit("v2", "models/fraud-detector.yaml", replacing: "# hyperparameters: {l2: 0.01}", with: "hyperparameters: {l2: 0.0005}")
        try await rig.waitFor("the canary to pause") { rig.status()?.health == .suspended }
        let aborted = try await runProcess(sextantBinary, ["abort", rig.model, "--state-dir", rig.state.path])
        #expect(aborted.status == 0, "\(aborted.stderr)")
        try await rig.waitFor("the abort") { rig.status()?.phase == .rolloutAborted }
        try await rig.waitFor("the followers to print the canary and its abort", timeout: .seconds(10)) {
            ["RolloutStarted", "AbortRequested", "RolloutAborted"].allSatisfy { fromServer.log.contains($0) && fromStore.log.contains("\"\($0)\"") }
        }
        #expect(fromServer.log.contains("(by user"), "the person who aborted is named: \(fromServer.log)")
        #expect(await stream.waitFor(timeout: .seconds(5)) { text, _ in text.contains("event: RolloutAborted") }, "\(stream.received)")
        let streamed = stream.received
        #expect(streamed.lowercased().contains("content-type: text/event-stream"), "\(streamed)")
        // Which event is 6 depends on how the first pass's jobs interleave; that it comes first does not.
        #expect((1...5).allSatisfy { !streamed.contains("id: \($0)\n") } && streamed.contains("\nid: 6\nevent: "), "after Last-Event-ID 5: \(streamed)")
        #expect(streamed.contains("event: AbortRequested\ndata: {") && !streamed.contains("event: CommitApplied"))
        let followed = try fromStore.log.split(separator: "\n").map { try StatusDocument.jsonDecoder().decode(Event.self, from: Data($0.utf8)) }
        #expect(followed.allSatisfy { $0.kind == .model })
        #expect(Set(followed.compactMap(\.id)).count == followed.count, "no event printed twice")
        #expect(await fromServer.stop(SIGINT) != nil, "Ctrl-C ends --follow")
        #expect(await fromStore.stop(SIGINT) != nil, "Ctrl-C ends --follow")

        // history: r2 served from its canary's start to the abort, at most 20%.
        let history = try await runProcess(sextantBinary, ["history", rig.model, "--state-dir", rig.state.path, "-o", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        struct History: Decodable {
            struct Version: Decodable { var revisions: [Revision] }
            struct Revision: Decodable {
                var revision: Int
                var served: [Served]
            }
            struct Served: Decodable {
                var from: Date
                var until: Date?
                var peakWeight: Int
            }
            var versions: [Version]
        }
        let revisions = try StatusDocument.jsonDecoder().decode(History.self, from: Data(history.stdout.utf8)).versions.flatMap(\.revisions)
        let candidate = try #require(revisions.first { $0.revision == 2 }?.served, "\(history.stdout)")
        #expect(candidate.count == 1 && candidate.first?.peakWeight == 20, "\(history.stdout)")
        let span = try #require(candidate.first)
        let until = try #require(span.until, "r2's span ended at the abort")
        let abortEvent = try #require(rig.events(.rolloutAborted).first)
        let startedEvent = try #require(rig.events(.rolloutStarted).first)
        #expect(abs(until.timeIntervalSince(abortEvent.time)) < 2 && abs(span.from.timeIntervalSince(startedEvent.time)) < 2)
        #expect(revisions.first { $0.revision == 1 }?.served.map(\.peakWeight) == [100])
        let table = try await runProcess(sextantBinary, ["history", rig.model, "--state-dir", rig.state.path])
        #expect(table.stdout.contains("(peak 20%)"), "\(table.stdout)")
        // The daemon's API answers the same lineage (GET /api/v1/models/{name}/history).
        let served = try await runProcess(sextantBinary, ["history", rig.model, "--server", "http://127.0.0.1:\(rig.apiPort)", "-o", "json"])
        #expect(served.status == 0, "\(served.stderr)")
        #expect(try HistoryDocument.lineage(served.stdout) == HistoryDocument.lineage(history.stdout), "\(served.stdout)")
        // render kserve reads the same from the API as from the state directory.
        let render = ["render", "kserve", "--path", rig.repository.path, "--registry", "registry.example.com/ml"]
        let fromDirectory = try await runProcess(sextantBinary, render + ["--state-dir", rig.state.path])
        let fromAPI = try await runProcess(sextantBinary, render + ["--server", "http://127.0.0.1:\(rig.apiPort)"])
        #expect(fromDirectory.status == 0 && fromAPI.status == 0, "\(fromDirectory.stderr)\(fromAPI.stderr)")
        #expect(fromAPI.stdout.contains("kind: InferenceService") && fromAPI.stdout == fromDirectory.stdout, "\(fromAPI.stdout)")
        #expect(!table.stdout.contains("never"), "r2 took traffic: \(table.stdout)")
        // An open stream does not hold the daemon up: it ends with the daemon.
        #expect(await rig.daemon?.stop() == 0, "the daemon stops gracefully with a stream open")
        #expect(await stream.waitUntilClosed(timeout: .seconds(5)))
    }
}
