import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// Drift in Core (DESIGN §7 "Drift"): a verdict change is one event, recorded in the
/// model's observation so a restarted daemon records it once; the report's JSON; the
/// `Drift` condition.
@Suite struct DriftTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    static func report(_ datasetDrift: Bool?, drifted: [String] = ["amount"], reason: String? = nil) -> DriftReport {
        let names = ["amount", "hour", "merchant"]
        return DriftReport(
            model: "fraud", version: 2, revisions: [2], computedAt: now, reference: .init(rows: 1919),
            current: .init(rows: 200, from: now.addingTimeInterval(-60), until: now), driftShare: 0.5,
            driftedShare: datasetDrift == nil ? nil : Double(drifted.count) / 3, datasetDrift: datasetDrift,
            features: datasetDrift == nil ? [] : names.map {
                .init(name: $0, kind: "numerical", method: "wasserstein", statistic: drifted.contains($0) ? 0.31 : 0.02, threshold: 0.1, drifted: drifted.contains($0))
            },
            prediction: datasetDrift == nil ? nil : .init(name: "predict", kind: "categorical", method: "zTest", statistic: 0.2, threshold: 0.05, drifted: false),
            reason: reason)
    }

    static func apply(_ report: DriftReport, to recorded: DriftVerdict?) -> ModelTransition.Result {
        let object = ObservedObject(key: ObjectKey(.model, "fraud"), model: ModelObservation(stableRevision: 2, drift: recorded), updatedAt: now)
        return ModelTransition.apply(.driftJudged(report), to: object, registry: ModelRegistry(model: "fraud"),
                                     context: .init(model: "fraud", commit: "c1", actor: "sextant", policy: nil, traffic: nil, now: now))
    }

    static func verdict(_ drifted: Bool) -> DriftVerdict {
        DriftVerdict(drifted: drifted, version: 2, features: drifted ? ["amount", "hour"] : [], since: now.addingTimeInterval(-600))
    }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var recorded: DriftVerdict?
        var report: DriftReport
        var changes: Bool
        var reasons: [EventReason]
        var drifted: Bool?
    }

    static let rows: [Row] = [
        Row(description: "first verdict, no drift: nothing to say", recorded: nil, report: report(false, drifted: []), changes: false, reasons: [], drifted: nil),
        Row(description: "first verdict, drift: DriftDetected", recorded: nil, report: report(true, drifted: ["amount", "hour"]), changes: true,
            reasons: [.driftDetected], drifted: true),
        Row(description: "drift again: nothing", recorded: verdict(true), report: report(true, drifted: ["amount", "hour"]), changes: false, reasons: [], drifted: true),
        Row(description: "drift gone: DriftResolved", recorded: verdict(true), report: report(false), changes: true, reasons: [.driftResolved], drifted: false),
        Row(description: "no drift, then drift: DriftDetected", recorded: verdict(false), report: report(true, drifted: ["amount", "hour"]), changes: true,
            reasons: [.driftDetected], drifted: true),
        Row(description: "no verdict (too few rows) after drift: nothing, the verdict stays", recorded: verdict(true),
            report: report(nil, reason: "12 logged rows of r2 so far"), changes: false, reasons: [], drifted: true),
    ]

    @Test("a verdict change is one event and is recorded; the same verdict or none changes nothing", arguments: rows)
    func transitions(_ row: Row) {
        #expect(DriftVerdict.changes(row.recorded, to: row.report) == row.changes)
        let result = Self.apply(row.report, to: row.recorded)
        #expect(result.events.map(\.reason) == row.reasons)
        #expect(result.object.model?.drift?.drifted == row.drifted)
        #expect(result.effects.isEmpty && result.succeeded)
        if row.changes {
            #expect(result.object.model?.drift?.since == Self.now, "the transition time is when it changed")
        } else {
            #expect(result.object.model?.drift == row.recorded, "an unchanged verdict keeps its time")
        }
    }

    @Test("DriftDetected names the drifted features and the share; DriftResolved the share")
    func eventMessages() throws {
        let detected = try #require(Self.apply(Self.report(true, drifted: ["amount", "hour"]), to: nil).events.first)
        #expect(detected.message == "dataset drift against v2's training rows over the newest 200 logged rows: amount, hour drifted, 2 of 3 features (66.7% ≥ 50%)")
        let resolved = try #require(Self.apply(Self.report(false), to: Self.verdict(true)).events.first)
        #expect(resolved.message == "no dataset drift against v2's training rows over the newest 200 logged rows any more: 1 of 3 features (33.3% < 50%)")
    }

    @Test("across a restart: the stored observation keeps the verdict, so the same verdict again records nothing; older records have none")
    func restart() throws {
        let first = Self.apply(Self.report(true, drifted: ["amount", "hour"]), to: nil)
        let stored = try JSONEncoder().encode(first.object)
        let restored = try JSONDecoder().decode(ObservedObject.self, from: stored)
        #expect(restored.model?.drift == first.object.model?.drift)
        #expect(!DriftVerdict.changes(restored.model?.drift, to: Self.report(true, drifted: ["amount", "hour"])))
        let again = Self.apply(Self.report(true, drifted: ["amount", "hour"]), to: restored.model?.drift)
        #expect(again.events.isEmpty)

        let old = #"{"replicas": [], "crashes": 0}"#
        #expect(try JSONDecoder().decode(ModelObservation.self, from: Data(old.utf8)).drift == nil)
    }

    @Test("the JSON has DESIGN §7's keys, every one present; without a verdict datasetDrift is null and reason says why")
    func json() throws {
        let encoder = StatusDocument.jsonEncoder(pretty: false)
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(Self.report(false, drifted: []))) as? [String: Any])
        #expect(Set(object.keys) == ["model", "version", "revisions", "computedAt", "reference", "current", "driftShare", "driftedShare",
                                     "datasetDrift", "features", "prediction"])
        #expect(object["computedAt"] as? String == "1970-01-12T13:46:40Z")
        #expect((object["current"] as? [String: Any]).map { Set($0.keys) } == ["rows", "from", "until"])
        #expect((object["reference"] as? [String: Any])?["rows"] as? Int == 1919)
        let feature = try #require((object["features"] as? [[String: Any]])?.first)
        #expect(Set(feature.keys) == ["name", "kind", "method", "statistic", "threshold", "drifted"])
        #expect(feature["method"] as? String == "wasserstein" && feature["kind"] as? String == "numerical")
        #expect((object["prediction"] as? [String: Any])?["method"] as? String == "zTest")
        #expect(object["datasetDrift"] as? Bool == false)

        let none = try #require(try JSONSerialization.jsonObject(with: encoder.encode(Self.report(nil, reason: "12 logged rows of r2 so far"))) as? [String: Any])
        #expect(none["datasetDrift"] is NSNull && none["driftedShare"] is NSNull && none["prediction"] is NSNull)
        #expect(none["reason"] as? String == "12 logged rows of r2 so far")
        let decoded = try StatusDocument.jsonDecoder().decode(DriftReport.self, from: encoder.encode(Self.report(true)))
        #expect(decoded == Self.report(true))
    }

    @Test("the Drift condition: True naming the drifted features and share, False, Unknown with the reason")
    func condition() {
        let drifted = StatusModel.driftCondition(Self.report(true, drifted: ["amount", "hour"]), recorded: Self.verdict(true))
        #expect(drifted.status == "True" && drifted.reason == "DatasetDrift")
        #expect(drifted.message == "amount, hour drifted: 2 of 3 features (66.7% ≥ 50%) over the newest 200 logged rows against v2")
        #expect(drifted.lastTransitionTime == Self.verdict(true).since, "since the verdict was recorded")
        let calm = StatusModel.driftCondition(Self.report(false), recorded: nil)
        #expect(calm.status == "False" && calm.message.hasPrefix("no dataset drift: 1 of 3 features (33.3% < 50%) (amount drifted)"), "\(calm.message)")
        let unknown = StatusModel.driftCondition(Self.report(nil, reason: "12 logged rows of r2 so far"), recorded: Self.verdict(true))
        #expect(unknown.status == "Unknown" && unknown.reason == "NoVerdict" && unknown.message == "12 logged rows of r2 so far")
    }
}
