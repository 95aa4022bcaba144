import Foundation
import Testing
import SextantAPI
@testable import SextantCore

@Suite struct ChangeReviewTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    func review(_ base: [String: String], _ head: [String: String], baseBlobs: [String: String] = ["data/tx.csv": "b1"],
                headBlobs: [String: String] = ["data/tx.csv": "b1"], data: [String: DataForecast] = [:],
                serving: [String: [TrafficEntry]]? = nil) throws -> [ObjectReview] {
        let old = try Manifests.desired(base, commit: "base", blobs: baseBlobs)
        let new = try Manifests.desired(head, commit: "head", blobs: headBlobs)
        return ChangeReview.compare(base: old, head: new, observed: nil, prune: true, now: Self.now, data: data, serving: serving)
    }

    static let withModel = Manifests.basic.merging(["model.yaml": Manifests.model]) { $1 }
    static let narrowed = withModel.merging(["contract.yaml": Manifests.contract(minimum: 5)]) { $1 }
    static let breach = DataBreach(condition: "amount ≥ 5", rows: 48, message: "tx.amount: minimum 5 = 48 rows, must be 0 (first at line 2: \"1\")")

    @Test("nothing changed: no objects")
    func unchanged() throws {
        #expect(try review(Manifests.basic, Manifests.basic).isEmpty)
    }

    @Test("new data: the dataset is re-checked, its manifest unchanged")
    func newData() throws {
        let reviews = try review(Manifests.basic, Manifests.basic, headBlobs: ["data/tx.csv": "b2"])
        #expect(reviews.map(\.change) == [.dataChanged])
        #expect(reviews.first?.consequences == ["data/tx.csv will be checked against contract tx 1.0.0 (the data changed)"])
        #expect(reviews.first?.fields == [])
    }

    @Test("a narrowed range is breaking and re-checks the dataset; the field diff names the column")
    func narrowedRange() throws {
        let head = Manifests.basic.merging(["contract.yaml": Manifests.contract(minimum: 5)]) { $1 }
        let reviews = try review(Manifests.basic, head)
        let contract = try #require(reviews.first { $0.kind == .dataContract })
        #expect(contract.breaking)
        #expect(contract.fields == [FieldChange(path: "schema[tx].properties[amount].logicalTypeOptions.minimum", before: .integer(0), after: .integer(5))])
        #expect(contract.consequences.contains("breaking: tx.amount: minimum narrowed from 0 to 5"))
        #expect(contract.consequences.contains("datasets checked against it: tx"))
        #expect(reviews.first { $0.kind == .dataset }?.consequences == ["data/tx.csv will be checked against contract tx 1.0.0 (the contract changed)"])
    }

    @Test("contract findings", arguments: [
        ("- {name: amount, logicalType: number, required: true, logicalTypeOptions: {minimum: 0}}", "", true, "column tx.amount removed"),
        ("{name: label, logicalType: boolean}", "{name: label, logicalType: boolean, required: true}", true, "tx.label is now required"),
        ("{name: label, logicalType: boolean}", "{name: label, logicalType: string}", false, "tx.label: type widened from boolean to string"),
        ("{name: label, logicalType: boolean}", "{name: label, logicalType: integer}", true, "tx.label: type narrowed from boolean to integer"),
        ("{minimum: 0}", "{minimum: -5}", false, "tx.amount: minimum widened from 0 to -5"),
        ("{minimum: 0}", "{minimum: 0, maximum: 10}", true, "tx.amount: maximum 10 added"),
    ])
    func findings(from: String, to: String, breaking: Bool, message: String) throws {
        let base = Manifests.contract()
        let head = base.replacingOccurrences(of: from, with: to)
        #expect(head != base, "the replacement must apply")
        let old = try #require(try Manifests.load(["c.yaml": base]).manifests.dataContracts.first)
        let new = try #require(try Manifests.load(["c.yaml": head]).manifests.dataContracts.first)
        let found = ContractReview.findings(before: old, after: new)
        #expect(found.contains(ContractFinding(breaking: breaking, message)), "\(found)")
    }

    @Test("added and removed objects; a removed dataset is pruned")
    func addedRemoved() throws {
        var head = Manifests.basic
        head["dataset.yaml"] = nil
        head["other.yaml"] = Manifests.contract("other")
        let reviews = try review(Manifests.basic, head)
        #expect(reviews.map { "\($0.kind)/\($0.name) \($0.change)" } == ["Dataset/tx removed", "DataContract/other added"])
        #expect(reviews[0].consequences == ["removed from Git: Sextant forgets it (its history and events are kept)"])
    }

    @Test("field diffs match lists of named objects by name")
    func namedLists() {
        let before: JSONValue = .object(["columns": .array([.object(["name": .string("a"), "type": .string("x")]), .object(["name": .string("b")])])])
        let after: JSONValue = .object(["columns": .array([.object(["name": .string("new")]), .object(["name": .string("a"), "type": .string("y")]), .object(["name": .string("b")])])])
        #expect(FieldDiff.changes(from: before, to: after) == [
            FieldChange(path: "columns[a].type", before: .string("x"), after: .string("y")),
            FieldChange(path: "columns[new]", before: nil, after: .object(["name": .string("new")])),
        ])
    }

    @Test("head data that breaks the narrowed contract: the dataset will be blocked, the model will not retrain")
    func blockedByData() throws {
        let reviews = try review(Self.withModel, Self.narrowed, data: ["tx": .fails(sha256: "s1", breaches: [Self.breach])])
        let dataset = try #require(reviews.first { $0.kind == .dataset })
        #expect(dataset.change == .contractChanged)
        #expect(dataset.outcome == Outcome(.blocked, reason: "DataInvalid", "will be blocked: DataInvalid, 48 rows break amount ≥ 5"))
        let model = try #require(reviews.first { $0.kind == .model }, "\(reviews)")
        #expect(model.change == .contractChanged)
        #expect(model.outcome == Outcome(.blocked, reason: "DataInvalid", "will not retrain: dataset tx is DataInvalid at head"))
        #expect(!model.consequences.contains { $0.hasPrefix("retrains") || $0.contains("rolls out") || $0.contains("canary") }, "\(model.consequences)")
        #expect(ChangeReview(base: .init(label: "b", commit: nil), head: .init(label: "h", commit: nil), objects: reviews).summary
                == "3 objects change: 2 blocked (DataInvalid), 1 breaking")
    }

    @Test("head data that passes: the retraining story stays, the dataset will pass")
    func passingData() throws {
        let reviews = try review(Self.withModel, Self.narrowed, data: ["tx": .passes(sha256: "s1", rows: 2, checks: 5)])
        #expect(reviews.first { $0.kind == .dataset }?.outcome == Outcome(.dataPasses, "will pass: 2 rows meet contract tx 1.0.0 (5 checks)"))
        let model = try #require(reviews.first { $0.kind == .model })
        #expect(model.outcome?.effect == .retrain)
        #expect(model.outcome?.message == "retrains a new version: contract semantics changed")
        #expect(model.consequences.first == model.outcome?.message)
        #expect(model.consequences.contains("rolls out by replace: the new revision takes 100% once ready"), "\(model.consequences)")
    }

    @Test("data too large to check here: neither blocked nor promised")
    func unpredictable() throws {
        let reviews = try review(Self.withModel, Self.withModel, headBlobs: ["data/tx.csv": "b2"], data: ["tx": .unknown("data/tx.csv is too large")])
        #expect(reviews.first { $0.kind == .dataset }?.outcome == Outcome(.unpredictable, "not predicted: data/tx.csv is too large"))
        #expect(reviews.first { $0.kind == .model }?.outcome
                == Outcome(.unpredictable, "retrains only if dataset tx meets its contract, not checked here: data/tx.csv is too large"))
    }

    @Test("a dataset DataInvalid since its last check (from the store) keeps a changed model from retraining")
    func invalidInStore() throws {
        let base = try Manifests.desired(Self.withModel, commit: "base", blobs: ["data/tx.csv": "b1"])
        let head = try Manifests.desired(Self.withModel.merging(["model.yaml": Manifests.model.replacingOccurrences(
            of: "{trainer: logistic-regression}", with: "{trainer: logistic-regression, hyperparameters: {l2: 0.5}}")]) { $1 },
                                         commit: "head", blobs: ["data/tx.csv": "b1"])
        var observed = ChangeReview.reconciledObservation(of: base)
        let key = ObjectKey(.dataset, "tx")
        observed.objects[key]?.dataset = DatasetResult(verdict: .dataInvalid, sha256: "s1", rows: 2, contract: head.datasets["tx"]!.contract,
                                                       checks: 3, violations: ["tx.amount: minimum 0 = 1 row, must be 0"], commit: "base", checkedAt: Self.now)
        let reviews = ChangeReview.compare(base: base, head: head, observed: observed, prune: true, now: Self.now,
                                           data: ["tx": .passes(sha256: "s1", rows: 2, checks: 3)], serving: [:])
        let model = try #require(reviews.first { $0.kind == .model })
        #expect(reviews.count == 1, "the dataset is not checked again")
        #expect(model.outcome == Outcome(.blocked, reason: "DataInvalid", "will not retrain: dataset tx is DataInvalid since its last check"))
        #expect(model.serving == [], "the store says nothing serves")
    }

    @Test("labels of an unchanged dataset manifest say what changed under it", arguments: [
        (false, true, ObjectReview.Change.dataChanged, "(the data changed)"),
        (true, false, .contractChanged, "(the contract changed)"),
        (true, true, .dataAndContractChanged, "(the data changed, the contract changed)"),
    ])
    func labels(contract: Bool, data: Bool, change: ObjectReview.Change, reason: String) throws {
        let head = contract ? Self.narrowed : Self.withModel
        let reviews = try review(Self.withModel, head, headBlobs: ["data/tx.csv": data ? "b2" : "b1"])
        let dataset = try #require(reviews.first { $0.kind == .dataset })
        #expect(dataset.change == change)
        #expect(dataset.consequences.first?.hasSuffix(reason) == true, "\(dataset.consequences)")
        #expect(reviews.first { $0.kind == .model }?.change == change, "the model's manifest is the same too")
    }

    @Test("what serves now: from the store when read, empty when nothing serves, nil without a store")
    func servingNow() throws {
        let head = Self.withModel.merging(["model.yaml": Manifests.model.replacingOccurrences(of: "training: {trainer: logistic-regression}", with: "training: {trainer: logistic-regression, seed: 7}")]) { $1 }
        let traffic = [TrafficEntry(revision: 2, version: 1, role: "stable", weight: 90), TrafficEntry(revision: 3, version: 2, role: "candidate", weight: 10)]
        #expect(try review(Self.withModel, head, serving: ["fraud": traffic]).first { $0.kind == .model }?.serving == traffic)
        #expect(try review(Self.withModel, head, serving: [:]).first { $0.kind == .model }?.serving == [])
        #expect(try review(Self.withModel, head).first { $0.kind == .model }?.serving == nil)
    }

    @Test("failed rules: the first three, then a count", arguments: [
        (1, "48 rows break amount ≥ 5"),
        (3, "48 rows break amount ≥ 5; 48 rows break amount ≥ 5; 48 rows break amount ≥ 5"),
        (5, "48 rows break amount ≥ 5; 48 rows break amount ≥ 5; 48 rows break amount ≥ 5; and 2 more"),
    ])
    func breaches(count: Int, text: String) {
        #expect(Prediction.describe(Array(repeating: Self.breach, count: count)) == text)
    }

    @Test("a breach without a row condition reads as the check's line", arguments: [
        (DataBreach(condition: "hour ≤ 22", rows: 1, message: "m"), "1 row breaks hour ≤ 22"),
        (DataBreach(message: "transactions: rowCount = 900 rows, must be greater than 1000"), "transactions: rowCount = 900 rows, must be greater than 1000"),
    ])
    func breachSummary(breach: DataBreach, text: String) {
        #expect(breach.summary == text)
    }

    @Test("the summary line counts outcomes", arguments: [
        ([Outcome.Effect](), 0, "1 object changes"),
        ([.retrain, .blocked], 0, "2 objects change: 1 retrain, 1 blocked (DataInvalid)"),
        ([.retrain, .retrain, .dataPasses, .newRevision], 1, "4 objects change: 2 retrains, 1 new revision, 1 dataset passes, 1 breaking"),
        ([.unpredictable, .reevaluate], 0, "2 objects change: 1 re-evaluation, 1 not predicted"),
    ])
    func summary(effects: [Outcome.Effect], breaking: Int, text: String) {
        var objects = effects.enumerated().map { index, effect in
            ObjectReview(kind: .model, name: "m\(index)", change: .modified, file: "", fields: [], consequences: [], breaking: index < breaking,
                         outcome: Outcome(effect, reason: effect == .blocked ? "DataInvalid" : nil, "…"))
        }
        if objects.isEmpty { objects = [ObjectReview(kind: .dataset, name: "d", change: .modified, file: "", fields: [], consequences: [], breaking: false)] }
        #expect(ChangeReview(base: .init(label: "b", commit: nil), head: .init(label: "h", commit: nil), objects: objects).summary == text)
    }
}
