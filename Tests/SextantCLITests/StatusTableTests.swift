import Foundation
import Testing
@testable import SextantCLI
import SextantAPI
import SextantCore

/// The status table at the terminal's width, `-o wide`, and what `--watch` draws.
@Suite struct StatusTableTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The quickstart mid-canary, with a long commit subject and messages.
    static var document: StatusDocument {
        let model = ObjectStatus(
            kind: .model, name: "fraud-detector", sync: .outOfSync, health: .progressing, phase: .rollingOut,
            message: "step 1/2: 10% to r2 (v2), 56/200 samples, pause 18 s left", createdAt: now.addingTimeInterval(-300),
            model: .init(stableVersion: 1, candidateVersion: 2, stableRevision: 1, candidateRevision: 2,
                         traffic: [TrafficEntry(revision: 1, version: 1, role: "stable", weight: 90),
                                   TrafficEntry(revision: 2, version: 2, role: "candidate", weight: 10)]))
        let objects = [
            model,
            ObjectStatus(kind: .dataset, name: "transactions", sync: .synced, health: .healthy, phase: .validated,
                         message: "contract transactions 1.0.0: 25 checks passed on 2400 rows", createdAt: now),
            ObjectStatus(kind: .dataContract, name: "transactions", sync: .synced, health: .healthy, phase: .valid,
                         message: "ODCS v3.1.0, version 1.0.0: 1 table, 6 columns", createdAt: now),
            ObjectStatus(kind: .slo, name: "fraud-latency", sync: .synced, health: .healthy, phase: .valid,
                         message: "objective 99% over 5m for model fraud-detector: r1 over the last 300 s: p99 under 50 ms: 99.98% good of 12000, 96% of the error budget left",
                         createdAt: now),
            ObjectStatus(kind: .rolloutPolicy, name: "canary-10-50", sync: .synced, health: .healthy, phase: .valid,
                         message: "canary: 2 steps (10% for 30s, 50% for 1m)", createdAt: now),
            ObjectStatus(kind: .slo, name: "ログ遅延", sync: .synced, health: .healthy, phase: .valid,
                         message: "目標 99% 🚀 über 5m für das Modell, with a long tail of text that never fits", createdAt: now),
        ]
        let revision = RevisionStatus(commit: String(repeating: "3f2a9c1", count: 6).prefix(40).description, branch: "main",
                                      message: "fraud-detector: a weaker L2 penalty, because the holdout AUC rose from 0.9835 to 0.9838 on the new data",
                                      fetchedAt: now)
        return StatusDocument(revision: revision, objects: objects)
    }

    static func rows(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    @Test("at 80 and 120 columns and narrower, every line fits, every object keeps one line, and the header line comes first",
          arguments: [80, 120, 60, 40])
    func fits(width: Int) {
        let text = StatusRenderer.render(Self.document, as: .table, now: Self.now, width: width)
        let lines = Self.rows(text)
        #expect(lines.allSatisfy { $0.displayWidth <= width }, "\(lines.filter { $0.displayWidth > width })")
        #expect(lines.first?.hasPrefix("main @ 3f2a9c1") == true)
        #expect(lines.count == 2 + Self.document.objects.count, "\(text)")
        #expect(lines[1].hasPrefix("KIND"))
        // Each object on its own line, in order.
        for (line, object) in zip(lines.dropFirst(2), Self.document.objects) {
            #expect(line.hasPrefix(String(object.kind.rawValue.prefix(3))), "\(line)")
        }
    }

    @Test("with replicas on PostgreSQL the header names the leader, its API, epoch and the lease left; a lease past its end says so",
          arguments: [(12.0, "leader host-a/4242/0badcafe at 127.0.0.1:7070, epoch 3, lease for 12s"),
                      (-30.0, "leader host-a/4242/0badcafe at 127.0.0.1:7070, epoch 3, lease expired 30s ago")])
    func leaderLine(expiresIn seconds: Double, line: String) {
        var document = Self.document
        document.leader = LeaderRecord(holder: "host-a/4242/0badcafe", epoch: 3, expiresAt: Self.now.addingTimeInterval(seconds),
                                       acquiredAt: Self.now.addingTimeInterval(-600), api: "127.0.0.1:7070")
        let lines = Self.rows(StatusRenderer.render(document, as: .table, now: Self.now, width: 200))
        #expect(lines[1] == line, "\(lines.prefix(3))")
        #expect(!Self.rows(StatusRenderer.render(Self.document, as: .table, now: Self.now, width: 200)).contains { $0.hasPrefix("leader ") })
    }

    @Test("at 120 columns only the free text is cut: names, phases and the traffic split are whole")
    func cutsMessageFirst() throws {
        let lines = Self.rows(StatusRenderer.render(Self.document, as: .table, now: Self.now, width: 120))
        let model = try #require(lines.first { $0.hasPrefix("Model") })
        for whole in ["fraud-detector", "OutOfSync", "Progressing", "RollingOut", "v1→v2", "r1 90% r2 10%"] {
            #expect(model.contains(whole), "\(model)")
        }
        #expect(lines.contains { $0.contains("…") })
        #expect(model.hasSuffix("5m"), "AGE stays the last column: \(model)")
    }

    @Test("-o wide prints every cell whole, whatever the width")
    func wide() {
        let text = StatusRenderer.render(Self.document, as: .wide, now: Self.now, width: 80)
        for object in Self.document.objects { #expect(text.contains(object.message)) }
        #expect(text.contains(Self.document.revision.message!))
        #expect(!text.contains("…"))
    }

    @Test("display width and cuts: ASCII, accents, CJK and emoji count as they show, and no scalar is split", arguments: [
        ("fraud-detector", 14, 8, "fraud-d…"),
        ("über-modèle", 11, 6, "über-…"),
        ("e\u{301}e\u{301}e\u{301}e\u{301}", 4, 3, "e\u{301}e\u{301}…"),
        ("ログ遅延です", 12, 7, "ログ遅…"),
        ("a🚀b🚀c", 7, 5, "a🚀b…"),
        ("short", 5, 5, "short"),
        ("anything", 8, 1, "…"),
        ("anything", 8, 0, ""),
    ])
    func cut(text: String, width: Int, fitted: Int, expected: String) {
        #expect(text.displayWidth == width)
        let cut = text.fitted(to: fitted)
        #expect(cut == expected)
        #expect(cut.displayWidth <= max(fitted, 0))
        #expect(String(decoding: Array(cut.utf8), as: UTF8.self) == cut)
    }

    @Test("a table that fits keeps two spaces between columns and no trailing spaces; one that does not, gives way in order")
    func table() {
        let rows = [["NAME", "NOTE", "AGE"], ["a", "short", "1s"], ["bb", "a rather longer note than fits", "2m"]]
        #expect(TextTable.lines(rows, width: 80) == ["NAME  NOTE                            AGE", "a     short                           1s", "bb    a rather longer note than fits  2m"])
        let narrow = TextTable.lines(rows, width: 20, shrinking: [.init(column: 1, floor: 4)])
        #expect(narrow == ["NAME NOTE        AGE", "a    short       1s", "bb   a rather l… 2m"])
        #expect(TextTable.lines([["A", ""], ["b", ""]]) == ["A", "b"])
    }

    @Test("a frame is drawn from the top, each line cleared first, cut to the width, and never taller than the screen")
    func frame() {
        let text = (1...40).map { "line \($0) " + String(repeating: "x", count: 100) }.joined(separator: "\n") + "\n"
        let drawn = WatchScreen.draw(text, width: 80, height: 30)
        #expect(drawn.hasPrefix("\u{1B}[H\u{1B}[2Kline 1 "))
        #expect(drawn.hasSuffix("\u{1B}[J"))
        let lines = drawn.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 30)
        #expect(lines.last?.contains("11 more lines") == true)
        #expect(lines.allSatisfy { $0.replacingOccurrences(of: "\u{1B}[2K", with: "").replacingOccurrences(of: "\u{1B}[H", with: "").replacingOccurrences(of: "\u{1B}[J", with: "").displayWidth <= 80 })
    }

    @Test("a mistyped name gets the nearest one; a name near nothing, the command that lists them", arguments: [
        ("fraud-detectr", #"no object named "fraud-detectr"; did you mean "fraud-detector"?"#),
        ("Model/fraud-detectr", #"no object named "Model/fraud-detectr"; did you mean "Model/fraud-detector"?"#),
        ("transactons", #"no object named "transactons"; did you mean "transactions"?"#),
        ("fraud", #"no object named "fraud"; did you mean "fraud-detector"?"#),
        ("Model/detector", #"no object named "Model/detector"; did you mean "Model/fraud-detector"?"#),
        ("SLO/fraud", #"no object named "SLO/fraud"; did you mean "SLO/fraud-latency"?"#),
        ("latency", #"no object named "latency"; did you mean "fraud-latency"?"#),
        ("zzz", "no object named \"zzz\"; `sextant status` lists them all"),
    ])
    func suggestion(name: String, message: String) {
        #expect(NameSuggestion.noObject(named: name, in: Self.document, listing: "sextant status").message == message)
    }

    @Test("`get` suggests only models")
    func modelSuggestion() {
        let failure = NameSuggestion.noObject(named: "transactons", in: Self.document, modelsOnly: true, listing: "sextant status")
        #expect(failure.message == "no model named \"transactons\"; `sextant status` lists them all")
        #expect(failure.exitCode == 2)
    }
}
