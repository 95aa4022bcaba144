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

/// A full load of a directory checks references on every core; a source that may not be
/// read from several threads is checked one manifest after the other. Both must find the
/// same problems in the same order.
@Suite struct ParallelReferenceTests {
    @Test("reference checks on every core find what the serial checks find, in the same order")
    func parallelEqualsSerial() throws {
        let directory = try TemporaryDirectory()
        try directory.write("contract.yaml", ManifestLoaderTests.contract)
        try directory.write("data/tx.csv", "id,amount,hour,region,label\n")
        try directory.write("data/pointer.csv", "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n")
        try directory.write("data/folder/file.csv", "id\n")
        // More manifests than one chunk of work, each kind of reference problem among them.
        let sources = ["data/tx.csv", "data/missing.csv", "data/pointer.csv", "data/folder", "data/tx.csv"]
        let contracts = ["urn:datacontract:tx", "urn:datacontract:tx", "urn:datacontract:nope", "urn:datacontract:tx", "urn:datacontract:tx"]
        for index in 0..<300 {
            try directory.write("datasets/d\(index).yaml", """
                apiVersion: sextant.dev/v1alpha1
                kind: Dataset
                metadata: {name: d\(index % 290)}
                spec: {source: {path: \(sources[index % 5])}, contract: \(contracts[(index / 5) % 5])}
                """)
        }
        let parallel = try ManifestLoader().load(DirectorySource(root: directory.path))
        let serial = try ManifestLoader().load(ReadRecorder(try DirectorySource(root: directory.path)))
        let messages = parallel.diagnostics.map(\.message)
        for kind in ["no file data/missing.csv", "data/pointer.csv is a Git LFS pointer", "data/folder is a directory",
                     "no DataContract with id or name \"urn:datacontract:nope\"", "duplicate Dataset name"] {
            #expect(messages.contains { $0.contains(kind) }, "\(kind) among \(messages.count) problems")
        }
        #expect(parallel.diagnostics.map(\.description) == serial.diagnostics.map(\.description))
        #expect(parallel.manifests.datasets.map(\.metadata.name) == serial.manifests.datasets.map(\.metadata.name))
    }
}
