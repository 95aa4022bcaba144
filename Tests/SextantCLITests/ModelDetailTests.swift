import Foundation
import Testing
@testable import SextantCLI
import SextantAPI
import SextantCore

/// `sextant get MODEL` as text, on a model mid-canary as status saves it.
@Suite struct ModelDetailTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Step 1 of 2 for 12 s of a 30 s pause, one objective passed and one not yet.
    static func detail() throws -> ModelDetail {
        let json = """
            {"kind": "Model", "name": "fraud-detector", "sync": "OutOfSync", "health": "Progressing", "phase": "RollingOut",
             "message": "step 1/2: 10% to r2 (v2), 56/200 samples, pause 18 s left", "conditions": [], "createdAt": "2027-01-15T07:55:00Z",
             "stableVersion": 1, "candidateVersion": 2, "stableRevision": 1, "candidateRevision": 2, "endpoints": [],
             "traffic": [{"revision": 1, "version": 1, "role": "stable", "weight": 90, "requests": 3137, "errors": 0, "p99Milliseconds": 2.883},
                         {"revision": 2, "version": 2, "role": "candidate", "weight": 10, "requests": 56, "errors": 1, "p99Milliseconds": 3.847}],
             "rollout": {"strategy": "canary", "policy": "canary-10-50", "phase": "canary", "step": 1, "steps": 2, "weight": 10, "failures": 0,
                         "paused": false, "stepStartedAt": "2027-01-15T07:59:48Z", "verdict": "Inconclusive", "failureLimit": 0,
                         "pauseUntil": "2027-01-15T08:00:18Z", "stepDeadline": "2027-01-15T08:09:48Z",
                         "objectives": [{"slo": "fraud-latency", "objective": "p99 under 50 ms", "target": 0.99, "samples": 120, "bad": 0, "required": 100, "verdict": "Passed", "value": 1},
                                        {"slo": "fraud-errors", "objective": "99.5% of requests succeed", "target": 0.995, "samples": 56, "bad": 1, "required": 200, "verdict": "Inconclusive", "value": 0.98214}],
                         "policySteps": [{"number": 1, "phase": "canary", "weight": 10, "pauseSeconds": 30, "untilPromoted": false, "state": "current"},
                                         {"number": 2, "phase": "canary", "weight": 50, "pauseSeconds": 60, "untilPromoted": false, "state": "pending"}]},
             "replicas": [{"revision": 1, "role": "stable", "index": 0, "pid": 4242, "port": 41001, "state": "ready", "crashes": 0,
                           "startedAt": "2027-01-15T07:55:00Z", "log": "/var/lib/sextant/servers/fraud-detector/r1-0.log"},
                          {"revision": 2, "role": "candidate", "index": 0, "pid": 4343, "port": 41002, "state": "notReady", "detail": "HTTP 503", "crashes": 1,
                           "startedAt": "2027-01-15T07:59:40Z", "log": "/var/lib/sextant/servers/fraud-detector/r2-0.log"}]}
            """
        let object = try StatusDocument.jsonDecoder().decode(ObjectStatus.self, from: Data(json.utf8))
        let events = (1...12).map { index in
            Event(id: Int64(index), time: now.addingTimeInterval(Double(index - 60)), kind: .model, name: "fraud-detector", reason: .unknown("Reason\(index)"),
                  message: "event \(index)", commit: nil, actor: index == 12 ? "alice" : "sextant")
        }
        return ModelDetail(revision: RevisionStatus(commit: String(repeating: "a", count: 40), branch: "main", message: "l2", fetchedAt: now),
                           model: object, events: Array(events.suffix(10)))
    }

    @Test("the steps with the current one marked, the pause left, each objective's value and verdict, traffic, replicas and events")
    func text() throws {
        let text = ModelDetailRenderer.text(try Self.detail(), now: Self.now, width: nil)
        for expected in [
            "Name:      fraud-detector", "Status:    Progressing, OutOfSync, RollingOut", "Strategy:  canary (policy canary-10-50)",
            "Stable:    v1 (r1)", "Candidate: v2 (r2)", "Step:      1/2 for 12s; pause 18s left of 30s",
            "► 1  canary  10%  pause 30s", "○ 2  canary  50%  pause 1m",
            "Analysis: Inconclusive, 0 failed verdicts of 0 allowed:",
            "fraud-latency  100%    99%     100/100  0    Passed", "fraud-errors   98.21%  99.5%   56/200   1    Inconclusive  99.5% of requests succeed",
            "r2        v2       candidate  10%     56        1       3.8 ms",
            "r2        candidate  0  4343  41002  notReady (HTTP 503)  1",
            "Events (newest first):", "event 12 (by alice)",
        ] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        #expect(text.range(of: "event 12")!.lowerBound < text.range(of: "event 3")!.lowerBound)
        #expect(!text.contains("event 2\n"))
    }

    @Test("at 80 columns no line is wider", arguments: [80, 50])
    func fits(width: Int) throws {
        let text = ModelDetailRenderer.text(try Self.detail(), now: Self.now, width: width)
        #expect(text.split(separator: "\n").allSatisfy { String($0).displayWidth <= width })
        #expect(text.hasPrefix("Name:      fraud-detector\n"))
    }

    @Test("-o json holds the model's object of status and the events")
    func json() throws {
        let text = try Self.detail().json
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let model = try #require(decoded?["model"] as? [String: Any])
        #expect(model["name"] as? String == "fraud-detector")
        #expect((model["rollout"] as? [String: Any])?["pauseUntil"] as? String == "2027-01-15T08:00:18Z")
        #expect((decoded?["events"] as? [Any])?.count == 10)
    }
}
