import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantML
import SextantTestSupport
@testable import SextantRuntime

/// ODCS contracts as the runtime reads them into rules, and datasets checked end to end
/// in process.
@Suite struct ContractRulesTests {
    static func table(_ version: String, _ options: String) throws -> ContractTable {
        let directory = try TemporaryDirectory()
        try directory.write("c.yaml", """
            apiVersion: \(version)
            kind: DataContract
            id: c
            version: 1.0.0
            status: active
            schema:
              - name: t
                properties:
                  - {name: x, logicalType: number, logicalTypeOptions: {\(options)}}

            """)
        let result = try ManifestLoader().load(try DirectorySource(root: directory.path))
        #expect(result.isValid, "\(result.diagnostics)")
        return try #require(result.manifests.dataContracts.first?.schema?.first)
    }

    @Test("limits: v3.0 flags, v3.1 numbers, and the stricter of two", arguments: [
        ("v3.0.2", "minimum: 0, exclusiveMinimum: true", Bound("0", exclusive: true), nil as Bound?),
        ("v3.0.2", "minimum: 0, exclusiveMinimum: false", Bound("0"), nil),
        ("v3.1.0", "exclusiveMinimum: 0, exclusiveMaximum: 10", Bound("0", exclusive: true), Bound("10", exclusive: true)),
        ("v3.1.0", "minimum: 5, exclusiveMinimum: 0", Bound("5"), nil),
        ("v3.1.0", "minimum: 0, exclusiveMinimum: 5, maximum: 9, exclusiveMaximum: 20", Bound("5", exclusive: true), Bound("9")),
    ])
    func limits(version: String, options: String, minimum: Bound, maximum: Bound?) throws {
        let rules = try Self.table(version, options).rules
        #expect(rules.columns[0].minimum == minimum)
        #expect(rules.columns[0].maximum == maximum)
    }

    static func check(_ csv: String, pin: String? = nil) throws -> DatasetResult {
        let table = try Self.table("v3.1.0", "minimum: 0")
        let check = DatasetCheck(name: "d", data: .commit(path: "data/d.csv", blob: "b"), dataIdentity: "git-blob:b", sha256Pin: pin,
                                 table: table, contract: ContractLabel(id: "c", name: "c", version: "1.0.0"), commit: "c1", rulesFingerprint: "r")
        return DatasetChecker.check(check, bytes: Array(csv.utf8), now: Date(timeIntervalSince1970: 0))
    }

    @Test("a dataset check: hash, pin, LFS pointers, CSV errors and rules")
    func datasetCheck() throws {
        let good = try Self.check("x\n1\n2\n")
        #expect(good.verdict == .validated)
        #expect(good.sha256 == Fingerprint.sha256(Array("x\n1\n2\n".utf8)))
        #expect(good.rows == 2)
        #expect(good.checks == 2)

        let pinned = try Self.check("x\n1\n", pin: String(repeating: "a", count: 64))
        #expect(pinned.verdict == .dataInvalid)
        #expect(pinned.violations.first?.hasPrefix("sha256: the data hashes to ") == true)

        let pointer = try Self.check("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 3\n")
        #expect(pointer.violations == ["source: data/d.csv is a Git LFS pointer, not data; Sextant does not fetch LFS objects: commit the file itself or use uri:"])

        let malformed = try Self.check("x\n\"1\n")
        #expect(malformed.violations == ["data/d.csv:2: a quoted field opened on this line is never closed; close it with \""])

        let negative = try Self.check("x\n-1\n")
        #expect(negative.violations == ["t.x: minimum 0 = 1 row, must be 0 (first at line 2: \"-1\")"])
    }

    @Test("a check of a classified column says where an offending value is, never what it is", arguments: [
        ("classification: confidential", "t.postcode: pattern ^[0-9]{5}$ = 1 row, must be 0 (first at line 3: a value of postcode (confidential))",
         "t.postcode: invalidValues = 1 row, must be 0 (first at line 3: a value of postcode (confidential))"),
        ("classification: public", "t.postcode: pattern ^[0-9]{5}$ = 1 row, must be 0 (first at line 3: \"PC-48213\")",
         "t.postcode: invalidValues = 1 row, must be 0 (first at line 3: \"PC-48213\")"),
    ])
    func classifiedValues(_ classification: String, _ pattern: String, _ invalid: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("c.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: c
            version: 1.0.0
            status: active
            schema:
              - name: t
                properties:
                  - name: postcode
                    logicalType: string
                    \(classification)
                    logicalTypeOptions: {pattern: "^[0-9]{5}$"}
                    quality: [{metric: invalidValues, arguments: {validValues: ["12345", "48213"]}, mustBe: 0}]

            """)
        let result = try ManifestLoader().load(try DirectorySource(root: directory.path))
        let table = try #require(result.manifests.dataContracts.first?.schema?.first, "\(result.diagnostics)")
        let check = DatasetCheck(name: "d", data: .commit(path: "data/d.csv", blob: "b"), dataIdentity: "git-blob:b", sha256Pin: nil,
                                 table: table, contract: ContractLabel(id: "c", name: "c", version: "1.0.0"), commit: "c1", rulesFingerprint: "r")
        let checked = DatasetChecker.check(check, bytes: Array("postcode\n12345\nPC-48213\n".utf8), now: Date(timeIntervalSince1970: 0))
        #expect(checked.violations == [pattern, invalid])
    }

    @Test("a local file reached through a symlink that leaves every data root is refused")
    func confinement() throws {
        let root = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        let secret = try outside.write("secret.csv", "x\n1\n")
        try root.symlink("link.csv", to: secret)
        try root.write("real.csv", "x\n1\n")
        let runtime = EmbeddedRuntime(blobs: NoBlobs(), dataRoots: [root.path])
        #expect(runtime.confinementProblem(root.path + "/real.csv") == nil)
        let problem = try #require(runtime.confinementProblem(root.path + "/link.csv"))
        #expect(problem.contains("outside every --data-root"))
    }

    struct NoBlobs: BlobReader {
        func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] { throw SourceFailure("no blobs") }
    }
}
