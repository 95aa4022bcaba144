import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// The retraining triggers (DESIGN §7), as a table: spec, state, signals → decision.
@Suite struct RetrainMonitorTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z, a Friday

    static func spec(_ json: String) -> RetrainSpec {
        try! JSONDecoder().decode(RetrainSpec.self, from: Data(json.utf8))
    }

    static func online(_ accuracy: Double, rows: Int) -> OnlineRevision {
        OnlineRevision(revision: 2, rows: rows * 2, labelledRows: rows, coverage: 0.5, metrics: ["accuracy": accuracy])
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var spec: String
        var state = RetrainState(checkedAt: RetrainMonitorTests.now.addingTimeInterval(-60))
        var signals = RetrainMonitor.Signals()
        /// `fire: triggers`, `wait: part of the message`, or `notDue`.
        var expect: Expected
    }

    enum Expected: Sendable, Equatable {
        case fire([RetrainTrigger])
        case wait(String)
        case notDue
    }

    static let accuracy = #"{"on": ["accuracy"], "accuracy": {"metric": "accuracy", "below": 0.9}, "minRows": 100, "cooldown": "1h"}"#

    static let rows: [Row] = [
        Row(testDescription: "accuracy below its threshold on enough labelled rows fires",
            spec: accuracy, signals: .init(online: online(0.8, rows: 150), labelledRows: 150), expect: .fire([.accuracy])),
        Row(testDescription: "accuracy above its threshold waits, naming the value",
            spec: accuracy, signals: .init(online: online(0.95, rows: 150), labelledRows: 150), expect: .wait("online accuracy 0.95")),
        Row(testDescription: "accuracy needs 100 labelled rows before it can fire",
            spec: accuracy, signals: .init(online: online(0.5, rows: 99), labelledRows: 99), expect: .wait("accuracy: 99 of 100 labelled rows")),
        Row(testDescription: "above: for an error metric, past the threshold upwards fires",
            spec: #"{"on": ["accuracy"], "accuracy": {"metric": "rmse", "above": 2}, "data": "source"}"#,
            signals: .init(online: OnlineRevision(revision: 1, rows: 200, labelledRows: 200, coverage: 1, metrics: ["rmse": 2.5])), expect: .fire([.accuracy])),
        Row(testDescription: "data: feedback waits for minRows labelled production rows, saying how many it has",
            spec: #"{"on": ["accuracy"], "accuracy": {"metric": "accuracy", "below": 0.9}}"#,
            signals: .init(online: online(0.8, rows: 146), labelledRows: 146), expect: .wait("146 of 200")),
        Row(testDescription: "data: source does not wait for labelled rows",
            spec: #"{"on": ["dataChange"], "data": "source"}"#, signals: .init(changedDataSha256: "ab12"), expect: .fire([.dataChange])),
        Row(testDescription: "unchanged data does not fire",
            spec: #"{"on": ["dataChange"], "data": "source"}"#, expect: .wait("the data is unchanged")),
        Row(testDescription: "dataset drift fires",
            spec: #"{"on": ["drift"], "minRows": 10}"#, signals: .init(drift: true, labelledRows: 10), expect: .fire([.drift])),
        Row(testDescription: "no drift verdict yet (too few rows) does not fire",
            spec: #"{"on": ["drift"], "minRows": 10}"#, signals: .init(drift: nil, labelledRows: 10), expect: .wait("no drift verdict yet")),
        Row(testDescription: "two triggers fire together, in the spec's order",
            spec: #"{"on": ["drift", "dataChange"], "data": "source"}"#, signals: .init(drift: true, changedDataSha256: "ab"), expect: .fire([.drift, .dataChange])),
        Row(testDescription: "the cron fired since the last check (08:00 UTC daily)",
            spec: #"{"on": ["schedule"], "schedule": "0 8 * * *", "data": "source"}"#, expect: .fire([.schedule])),
        Row(testDescription: "the cron did not fire since the last check",
            spec: #"{"on": ["schedule"], "schedule": "0 3 * * *", "data": "source"}"#, expect: .wait("next scheduled at 2027-01-16T03:00:00Z")),
        Row(testDescription: "a firing inside the cooldown waits until it ends",
            spec: accuracy, state: RetrainState(checkedAt: now.addingTimeInterval(-60), triggeredAt: now.addingTimeInterval(-1800)),
            signals: .init(online: online(0.8, rows: 150), labelledRows: 150), expect: .wait("cooling down until 2027-01-15T08:30:00Z")),
        Row(testDescription: "after the cooldown it fires again",
            spec: accuracy, state: RetrainState(checkedAt: now.addingTimeInterval(-60), triggeredAt: now.addingTimeInterval(-3601)),
            signals: .init(online: online(0.8, rows: 150), labelledRows: 150), expect: .fire([.accuracy])),
        Row(testDescription: "a restart (no check in memory, the stored trigger time) keeps the cooldown",
            spec: accuracy, state: RetrainState(triggeredAt: now.addingTimeInterval(-60)),
            signals: .init(online: online(0.8, rows: 150), labelledRows: 150), expect: .wait("cooling down")),
        Row(testDescription: "checked every drift.interval (1m by default): not before",
            spec: accuracy, state: RetrainState(checkedAt: now.addingTimeInterval(-30)),
            signals: .init(online: online(0.8, rows: 150), labelledRows: 150), expect: .notDue),
    ]

    @Test("retraining triggers", arguments: rows)
    func decide(row: Row) {
        let (state, decision) = RetrainMonitor.check(Self.spec(row.spec), interval: .seconds(60), signals: row.signals, state: row.state, now: Self.now)
        switch (decision, row.expect) {
        case (.fire(let reasons), .fire(let triggers)):
            #expect(reasons.map(\.trigger) == triggers)
            #expect(state.triggeredAt == Self.now && state.checkedAt == Self.now, "the cooldown starts now")
        case (.wait(let message), .wait(let part)):
            #expect(message.contains(part), "\(message)")
            #expect(state.triggeredAt == row.state.triggeredAt)
        case (.notDue(let next), .notDue):
            #expect(next == row.state.checkedAt!.addingTimeInterval(60))
            #expect(state == row.state)
        default:
            Issue.record("got \(decision), expected \(row.expect)")
        }
    }

    @Test("a cron firing that waits for rows is kept, and fires once the rows are there")
    func scheduleWaitsForRows() {
        let spec = Self.spec(#"{"on": ["schedule"], "schedule": "0 8 * * *", "minRows": 50}"#)
        let (waiting, first) = RetrainMonitor.check(spec, interval: .seconds(60), signals: .init(labelledRows: 10),
                                                    state: RetrainState(checkedAt: Self.now.addingTimeInterval(-60)), now: Self.now)
        #expect(first == .wait("schedule fired; waiting for labelled production rows: 10 of 50"))
        #expect(waiting.scheduleDue == Self.now)
        let later = Self.now.addingTimeInterval(3600)
        let (fired, second) = RetrainMonitor.check(spec, interval: .seconds(60), signals: .init(labelledRows: 60), state: waiting, now: later)
        guard case .fire(let reasons) = second else { Issue.record("\(second)"); return }
        #expect(reasons.map(\.trigger) == [.schedule])
        #expect(reasons[0].summary.contains("fired at 2027-01-15T08:00:00Z"))
        #expect(fired.scheduleDue == nil)
    }

    @Test("the accuracy reason carries its numbers for the evidence")
    func accuracyNumbers() {
        let (_, decision) = RetrainMonitor.check(Self.spec(Self.accuracy), interval: .seconds(60),
                                                 signals: .init(online: Self.online(0.8125, rows: 160), labelledRows: 160), state: RetrainState(), now: Self.now)
        #expect(decision == .fire([RetrainReason(trigger: .accuracy, summary: "online accuracy 0.8125 of r2 is below 0.9 on 160 labelled rows",
                                                 metric: "accuracy", value: 0.8125, threshold: 0.9, rows: 160)]))
    }
}
