import Foundation
import Testing
import SextantAPI
@testable import SextantCore

@Suite struct ChangeReviewTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    func review(_ base: [String: String], _ head: [String: String], baseBlobs: [String: String] = ["data/tx.csv": "b1"],
                headBlobs: [String: String] = ["data/tx.csv": "b1"]) throws -> [ObjectReview] {
        let old = try Manifests.desired(base, commit: "base", blobs: baseBlobs)
        let new = try Manifests.desired(head, commit: "head", blobs: headBlobs)
        return ChangeReview.compare(base: old, head: new, observed: nil, prune: true, now: Self.now)
    }

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
}
