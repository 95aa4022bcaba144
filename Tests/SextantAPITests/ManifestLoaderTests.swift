import Foundation
import Testing
import SextantAPI
import SextantTestSupport
import SextantYAML

@Suite struct ManifestLoaderTests {
    static let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:tx
        version: 1.0.0
        status: active
        name: tx
        schema:
          - name: tx
            properties:
              - {name: id, logicalType: string, primaryKey: true}
              - {name: amount, logicalType: number}
              - {name: hour, logicalType: integer}
              - {name: region, logicalType: string}
              - {name: label, logicalType: boolean}
        """
    static let dataset = """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: tx}
        spec: {source: {path: data/tx.csv}, contract: urn:datacontract:tx}
        """

    func load(_ files: [String: String]) throws -> ManifestLoader.Result {
        let directory = try TemporaryDirectory()
        for (path, content) in files { try directory.write(path, content) }
        return try ManifestLoader().load(DirectorySource(root: directory.path))
    }

    @Test("features default to every column but the target, primary keys and sensitive features")
    func defaultFeatures() throws {
        let result = try load([
            "contract.yaml": Self.contract, "dataset.yaml": Self.dataset, "data/tx.csv": "id\n",
            "model.yaml": """
                apiVersion: sextant.dev/v1alpha1
                kind: Model
                metadata: {name: m}
                spec:
                  task: binary-classification
                  dataset: tx
                  target: label
                  training: {trainer: logistic-regression}
                  evaluation:
                    gates: [{metric: demographicParityRatio, sensitiveFeature: region, min: 0.8}]
                """,
        ])
        #expect(result.diagnostics.map(\.description) == [])
        let model = try #require(result.manifests.models.first)
        #expect(result.manifests.resolvedFeatures(of: model) == ["amount", "hour"])
    }

    @Test("several manifests in one file, dot-directories and .sextantignore paths skipped")
    func discovery() throws {
        let result = try load([
            "all.yaml": Self.contract + "\n---\n" + Self.dataset + "\n---\n",
            "data/tx.csv": "id\n",
            ".github/workflows/ci.yaml": "on: push\n",
            ".pre-commit-config.yaml": "repos: []\n",
            "drafts/broken.yaml": "kind: Nonsense\n",
            "notes.txt": "not yaml",
            ".sextantignore": "drafts/\n",
        ])
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.fileCount == 1)
        #expect(result.manifests.all.map(\.kind) == [.dataset, .dataContract])
    }

    @Test("a contract may be named by id or name, and a dataset needs a table when it has several")
    func contractReferences() throws {
        let twoTables = Self.contract + "\n  - name: other\n    properties: [{name: x, logicalType: string}]\n"
        let result = try load([
            "contract.yaml": twoTables, "data/tx.csv": "id\n",
            "dataset.yaml": Self.dataset.replacingOccurrences(of: "urn:datacontract:tx", with: "tx"),
        ])
        #expect(result.diagnostics.map(\.message) == [
            "spec.contract: contract tx has 2 tables (tx, other); choose one with table:"
        ])
    }

    @Test("two contracts with one id are duplicates even when only one has a name")
    func duplicateContractIDs() throws {
        let unnamed = Self.contract.replacingOccurrences(of: "name: tx\nschema", with: "schema")
        let result = try load(["a.yaml": Self.contract, "b.yaml": unnamed])
        #expect(result.diagnostics.map(\.message) == [
            "duplicate DataContract id \"urn:datacontract:tx\" (first defined at \(result.diagnostics.first?.file.replacingOccurrences(of: "b.yaml", with: "a.yaml") ?? ""):3); ids must be unique per kind"
        ])
    }

    @Test("built-in trainers need numeric default features, and invalid patterns say why")
    func defaultFeatureTypes() throws {
        let contract = Self.contract.replacingOccurrences(of: "{name: region, logicalType: string}", with: "{name: region, logicalType: string, logicalTypeOptions: {pattern: \"[a-z\"}}")
        let result = try load([
            "contract.yaml": contract, "dataset.yaml": Self.dataset, "data/tx.csv": "id\n",
            "model.yaml": """
                apiVersion: sextant.dev/v1alpha1
                kind: Model
                metadata: {name: m}
                spec: {task: binary-classification, dataset: tx, target: label, training: {trainer: logistic-regression}}
                """,
        ])
        #expect(result.diagnostics.map(\.message) == [
            "schema[0].properties[3].logicalTypeOptions.pattern: pattern is not a valid regular expression: expected ']'",
            "spec.training.trainer: the default features include region (string); built-in trainers take number, integer and boolean features: list features explicitly",
        ])
    }

    @Test("a missing directory is a source error, not a diagnostic")
    func missingRoot() {
        #expect(throws: SourceError.self) { try DirectorySource(root: "/nonexistent/sextant") }
    }

    @Test("a symlinked manifest inside the root is read; one leading out is refused")
    func symlinkedManifests() throws {
        let directory = try TemporaryDirectory()
        try directory.write("shared/contract.txt", Self.contract)
        try directory.symlink("contract.yaml", to: "shared/contract.txt")
        let outside = try TemporaryDirectory()
        try outside.write("policy.yaml", "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: p}\nspec: {strategy: replace}\n")
        try directory.symlink("policy.yaml", to: "\(outside.path)/policy.yaml")
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/policy.yaml:1:1: symlink leads outside the watched root; manifests must live inside it"
        ])
        #expect(result.manifests.dataContracts.map(\.id) == ["urn:datacontract:tx"])
    }

    @Test("a directory's file over the size limit is refused unread, named with its size; one at the limit is read")
    func fileSizeLimit() throws {
        let directory = try TemporaryDirectory()
        try directory.write("contract.yaml", Self.contract)
        let limit = Self.contract.utf8.count
        try directory.write("big.yaml", Self.dataset + "\n# " + String(repeating: "x", count: limit))
        let bigSize = Self.dataset.utf8.count + 3 + limit
        let result = try ManifestLoader(limits: YAMLLimits(maxFileBytes: limit)).load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map(\.description) == [
            "\(directory.path)/big.yaml:1:1: file is \(bigSize) bytes, more than the limit of \(limit) bytes; split it or keep large data out of manifests",
        ])
        #expect(result.manifests.dataContracts.count == 1)
    }
}
