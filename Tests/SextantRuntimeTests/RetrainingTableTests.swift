import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantML
import SextantTestSupport
@testable import SextantRuntime

/// A `data: feedback` retraining's table: the dataset's rows plus labelled production rows,
/// typed by the contract, checked against it, written content-addressed.
@Suite struct RetrainingTableTests {
    static func contract() throws -> ContractTable {
        let directory = try TemporaryDirectory()
        try directory.write("c.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: c
            version: 1.0.0
            status: active
            schema:
              - name: tx
                properties:
                  - {name: id, logicalType: string}
                  - {name: amount, logicalType: number, required: true, logicalTypeOptions: {minimum: 0}}
                  - {name: hour, logicalType: integer}
                  - {name: label, logicalType: boolean}

            """)
        let result = try ManifestLoader().load(try DirectorySource(root: directory.path))
        #expect(result.isValid, "\(result.diagnostics)")
        return try #require(result.manifests.dataContracts.first?.schema?.first)
    }

    static func row(_ amount: JSONValue, hour: JSONValue, truth: JSONValue, at second: Double = 0) -> LabelledRow {
        LabelledRow(time: Date(timeIntervalSince1970: second), revision: 1, features: [amount, hour], truth: truth, predict: .bool(false))
    }

    static func request(_ directory: TemporaryDirectory, rows: [LabelledRow]) throws -> RetrainingTableRequest {
        let data = try directory.write("tx.csv", "id,amount,hour,label\na,1.5,3,true\nb,2,4,false\n")
        return RetrainingTableRequest(model: "fraud", dataset: "tx", location: .file(path: data), sha256: "old", table: try contract(), target: "label",
                                      features: ["amount", "hour"], rows: rows, dataRoot: directory.path + "/root")
    }

    @Test("labelled rows are appended after the dataset's, typed by the contract; other columns are empty")
    func appended() throws {
        let directory = try TemporaryDirectory()
        let request = try Self.request(directory, rows: [Self.row(.integer(7), hour: .number(5), truth: .bool(true)),
                                                         Self.row(.number(0.25), hour: .integer(23), truth: .string("false"))])
        let bytes = try #require(EmbeddedRuntime.readFile(directory.path + "/tx.csv"))
        let built = RetrainingTableBuilder.build(dataset: bytes, request: request)
        guard case .table(let table, let datasetRows, let addedRows, let checks) = built else { Issue.record("\(built)"); return }
        #expect(String(decoding: table, as: UTF8.self) == "id,amount,hour,label\na,1.5,3,true\nb,2,4,false\n,7,5,true\n,0.25,23,false\n")
        #expect(datasetRows == 2 && addedRows == 2 && checks > 0)
    }

    @Test("rows that break the contract block the table, naming the column and the rule")
    func blocked() throws {
        let directory = try TemporaryDirectory()
        let request = try Self.request(directory, rows: [Self.row(.number(-3), hour: .integer(1), truth: .bool(true)),
                                                         Self.row(.null, hour: .integer(2), truth: .bool(false))])
        let bytes = try #require(EmbeddedRuntime.readFile(directory.path + "/tx.csv"))
        let built = RetrainingTableBuilder.build(dataset: bytes, request: request)
        guard case .blocked(let violations) = built else { Issue.record("\(built)"); return }
        #expect(violations.contains { $0.hasPrefix("tx.amount: minimum 0 = 1 row") }, "\(violations)")
        #expect(violations.contains { $0.hasPrefix("tx.amount: required = 1 row") }, "\(violations)")
    }

    @Test("written at DATA_ROOT/sextant/MODEL/<sha256>.csv: the same rows give the same file, never rewritten")
    func contentAddressed() async throws {
        let directory = try TemporaryDirectory()
        let runtime = EmbeddedRuntime(blobs: ContractRulesTests.NoBlobs(), dataRoots: [directory.path])
        let request = try Self.request(directory, rows: [Self.row(.integer(7), hour: .integer(5), truth: .bool(true))])
        guard case .built(let first) = try await runtime.buildRetrainingTable(request) else { Issue.record("blocked"); return }
        #expect(first.path == "\(directory.path)/root/sextant/fraud/\(first.sha256).csv")
        #expect(first.sha256 == Fingerprint.sha256(first.bytes))
        #expect(EmbeddedRuntime.readFile(first.path) == first.bytes)
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date)
        guard case .built(let second) = try await runtime.buildRetrainingTable(request) else { Issue.record("blocked"); return }
        #expect(second.path == first.path)
        #expect(try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date == modified)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/root/sextant/fraud")
        #expect(names == ["\(first.sha256).csv"], "no temporary file is left behind")
    }
}
