import Foundation
import Testing
import SextantAPI
import SextantYAML
@testable import SextantCore

/// The planner's decisions as tables of (desired, observed, now) → actions.
@Suite struct PlannerTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)
    static let key = ObjectKey(.dataset, "tx")

    /// The fingerprint the planner gives dataset `tx` of a desired state.
    static func fingerprint(_ desired: DesiredState, observed: ObservedState = ObservedState()) -> String {
        Planner.plan(desired: desired, observed: observed, now: now).actions.first!.fingerprint
    }

    static func checked(_ fingerprint: String) -> ObservedObject {
        ObservedObject(key: key, fingerprint: fingerprint, updatedAt: now)
    }

    enum Expect: Equatable {
        case check
        case nothing
        case retryAt(Date)
        case prune(ObjectKey)
    }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var desired: @Sendable () throws -> DesiredState
        var observed: @Sendable (_ base: DesiredState) throws -> ObservedState
        var prune = true
        var expect: [Expect]
    }

    static let rows: [Row] = [
        Row(description: "a dataset never checked is checked",
            desired: { try Manifests.desired(Manifests.basic) }, observed: { _ in ObservedState() }, expect: [.check]),
        Row(description: "a dataset checked with the same inputs is left alone",
            desired: { try Manifests.desired(Manifests.basic) },
            observed: { base in ObservedState(objects: [key: checked(fingerprint(base))]) }, expect: [.nothing]),
        Row(description: "new data (another blob) is checked again",
            desired: { try Manifests.desired(Manifests.basic, blobs: ["data/tx.csv": "blob2"]) },
            observed: { _ in ObservedState(objects: [key: checked(fingerprint(try Manifests.desired(Manifests.basic)))]) }, expect: [.check]),
        Row(description: "a changed contract is checked again",
            desired: { try Manifests.desired(Manifests.basic.merging(["contract.yaml": Manifests.contract(minimum: 5)]) { $1 }) },
            observed: { _ in ObservedState(objects: [key: checked(fingerprint(try Manifests.desired(Manifests.basic)))]) }, expect: [.check]),
        Row(description: "another commit that leaves data and contract alone is not checked again",
            desired: { try Manifests.desired(Manifests.basic, commit: "c2") },
            observed: { _ in ObservedState(objects: [key: checked(fingerprint(try Manifests.desired(Manifests.basic, commit: "c1")))]) }, expect: [.nothing]),
        Row(description: "a failed check waits for its backoff",
            desired: { try Manifests.desired(Manifests.basic) },
            observed: { base in
                var object = ObservedObject(key: key, updatedAt: now)
                object.failure = ActionFailure(fingerprint: fingerprint(base), attempts: 2, message: "boom", nextAttemptAt: now + 10)
                return ObservedState(objects: [key: object])
            }, expect: [.retryAt(now + 10)]),
        Row(description: "a failed check is retried once its backoff is over",
            desired: { try Manifests.desired(Manifests.basic) },
            observed: { base in
                var object = ObservedObject(key: key, updatedAt: now)
                object.failure = ActionFailure(fingerprint: fingerprint(base), attempts: 2, message: "boom", nextAttemptAt: now - 1)
                return ObservedState(objects: [key: object])
            }, expect: [.check]),
        Row(description: "a failure of older inputs does not delay new inputs",
            desired: { try Manifests.desired(Manifests.basic) },
            observed: { _ in
                var object = ObservedObject(key: key, updatedAt: now)
                object.failure = ActionFailure(fingerprint: "old", attempts: 5, message: "boom", nextAttemptAt: now + 300)
                return ObservedState(objects: [key: object])
            }, expect: [.check]),
        Row(description: "a local file is checked when its observed hash changes",
            desired: { try Manifests.desired(["contract.yaml": Manifests.contract(), "dataset.yaml": Manifests.dataset("tx", uri: "file:///srv/data/tx.csv")], dataRoots: ["/srv/data"]) },
            observed: { base in
                let old = ObservedState(dataFiles: ["/srv/data/tx.csv": .hashed(sha256: "aaa")])
                return ObservedState(objects: [key: checked(fingerprint(base, observed: old))], dataFiles: ["/srv/data/tx.csv": .hashed(sha256: "bbb")])
            }, expect: [.check]),
        Row(description: "a local file whose hash is unchanged is left alone",
            desired: { try Manifests.desired(["contract.yaml": Manifests.contract(), "dataset.yaml": Manifests.dataset("tx", uri: "file:///srv/data/tx.csv")], dataRoots: ["/srv/data"]) },
            observed: { base in
                let same = ObservedState(dataFiles: ["/srv/data/tx.csv": .hashed(sha256: "aaa")])
                return ObservedState(objects: [key: checked(fingerprint(base, observed: same))], dataFiles: same.dataFiles)
            }, expect: [.nothing]),
        Row(description: "an object removed from Git is pruned",
            desired: { try Manifests.desired(["contract.yaml": Manifests.contract()]) },
            observed: { _ in ObservedState(objects: [key: checked("x")]) }, expect: [.prune(key)]),
        Row(description: "with --prune=false it is kept",
            desired: { try Manifests.desired(["contract.yaml": Manifests.contract()]) },
            observed: { _ in ObservedState(objects: [key: checked("x")]) }, prune: false, expect: [.nothing]),
    ]

    @Test("planner table", arguments: rows)
    func plan(row: Row) throws {
        let desired = try row.desired()
        let observed = try row.observed(desired)
        let plan = Planner.plan(desired: desired, observed: observed, now: Self.now, options: .init(prune: row.prune))
        var got: [Expect] = plan.actions.map { action in
            switch action {
            case .checkDataset: .check
            case .prune(let key): .prune(key)
            default: .nothing
            }
        }
        got += plan.retries.values.map { Expect.retryAt($0) }
        if got.isEmpty { got = [.nothing] }
        #expect(got == row.expect)
    }

    @Test("a uri outside every --data-root is refused with a reason, and checked as such")
    func refusedURI() throws {
        let desired = try Manifests.desired(["contract.yaml": Manifests.contract(), "dataset.yaml": Manifests.dataset("tx", uri: "file:///etc/passwd")], dataRoots: ["/srv/data"])
        guard case .refused(let reason) = desired.datasets["tx"]?.data else { Issue.record("not refused"); return }
        #expect(reason == "file:///etc/passwd is not under an allowed --data-root (/srv/data)")
        let plan = Planner.plan(desired: desired, observed: ObservedState(), now: Self.now)
        guard case .checkDataset(let check) = plan.actions.first else { Issue.record("no check"); return }
        #expect(check.dataIdentity.hasPrefix("refused:"))
    }

    struct AdmissionRow: Sendable, CustomStringConvertible {
        var description: String
        var appliedModels: Bool
        var candidateModels: Int
        var diagnostics: Int
        var allowEmpty: Bool
        var expect: String
    }

    @Test("admission of a new head commit", arguments: [
        AdmissionRow(description: "valid commit", appliedModels: true, candidateModels: 1, diagnostics: 0, allowEmpty: false, expect: "accept"),
        AdmissionRow(description: "invalid commit", appliedModels: true, candidateModels: 1, diagnostics: 2, allowEmpty: false, expect: "invalid"),
        AdmissionRow(description: "removes every model", appliedModels: true, candidateModels: 0, diagnostics: 0, allowEmpty: false, expect: "refuse"),
        AdmissionRow(description: "removes every model, --allow-empty", appliedModels: true, candidateModels: 0, diagnostics: 0, allowEmpty: true, expect: "accept"),
        AdmissionRow(description: "never had a model", appliedModels: false, candidateModels: 0, diagnostics: 0, allowEmpty: false, expect: "accept"),
    ])
    func admission(row: AdmissionRow) throws {
        var files = Manifests.basic
        if row.appliedModels { files["model.yaml"] = Manifests.model }
        let loaded = try Manifests.load(files)
        #expect(loaded.isValid, "\(loaded.diagnostics)")
        let applied = loaded.manifests
        let diagnostics = (0..<row.diagnostics).map { Diagnostic(file: "f.yaml", mark: .start, message: "bad \($0)") }
        let admission = Planner.admit(ManifestLoaderResultSummary(diagnostics: diagnostics, modelCount: row.candidateModels),
                                      applied: applied, allowEmpty: row.allowEmpty)
        switch (admission, row.expect) {
        case (.accept, "accept"), (.invalid, "invalid"): break
        case (.wouldPruneEveryModel(let models), "refuse"): #expect(models == ["fraud"])
        default: Issue.record("got \(admission)")
        }
    }

    @Test("backoff doubles from 5 s and stops at 5 minutes")
    func backoff() {
        #expect((1...9).map(Backoff.delay(afterAttempts:)) == [5, 10, 20, 40, 80, 160, 300, 300, 300])
    }
}
