import Foundation
import Testing
import SextantAPI
import SextantGit
import SextantSource
import SextantTestSupport

@Suite struct GitTreeSourceTests {
    static let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:tx
        version: 1.0.0
        status: active
        schema:
          - name: tx
            properties: [{name: id, logicalType: string}]
        """

    static func dataset(_ path: String) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: tx}
        spec: {source: {path: \(path)}, contract: urn:datacontract:tx}
        """
    }

    func load(_ fixture: GitFixture, root: String = "ml") throws -> ManifestLoader.Result {
        let repository = try GitRepository(path: fixture.path)
        let source = try GitTreeSource(repository: repository, commit: try repository.resolve("HEAD"), root: root)
        return try ManifestLoader().load(source)
    }

    @Test("symlinks inside the watched root are followed; ones leading out are refused")
    func symlinks() throws {
        let fixture = try GitFixture()
        try fixture.directory.write("ml/data/real.csv", "id\n1\n")
        try fixture.directory.write("secrets.csv", "id\n1\n")
        try fixture.directory.symlink("ml/data/inside.csv", to: "real.csv")
        try fixture.directory.symlink("ml/data/outside.csv", to: "../../secrets.csv")
        try fixture.directory.symlink("ml/data/absolute.csv", to: "/etc/hostname")
        try fixture.commit("data", files: [
            "ml/contract.yaml": Self.contract,
            "ml/a.yaml": Self.dataset("data/inside.csv"),
            "ml/b.yaml": Self.dataset("data/outside.csv").replacingOccurrences(of: "name: tx", with: "name: b"),
            "ml/c.yaml": Self.dataset("data/absolute.csv").replacingOccurrences(of: "name: tx", with: "name: c"),
        ])
        let result = try load(fixture)
        #expect(result.diagnostics.map(\.description) == [
            "ml/b.yaml:4:23: spec.source.path: data/outside.csv is a symlink that leads outside the watched root; paths must stay inside it",
            "ml/c.yaml:4:23: spec.source.path: data/absolute.csv is a symlink that leads outside the watched root; paths must stay inside it",
        ])
    }

    @Test("a Git LFS pointer committed as data is an error that says so")
    func lfsPointer() throws {
        let fixture = try GitFixture()
        try fixture.commit("data", files: [
            "ml/contract.yaml": Self.contract,
            "ml/dataset.yaml": Self.dataset("data/tx.csv"),
            "ml/data/tx.csv": "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
        ])
        let result = try load(fixture)
        #expect(result.diagnostics.map(\.message) == [
            "spec.source.path: data/tx.csv is a Git LFS pointer, not data; Sextant does not fetch LFS objects: commit the file itself or use uri:"
        ])
    }

    @Test("a blob over the size limit is measured by its object header and refused unread")
    func measuredBlob() throws {
        let fixture = try GitFixture()
        let big = "# " + String(repeating: "x", count: 6 << 20) + "\n"
        let sha = try fixture.commit("big", files: ["ml/contract.yaml": Self.contract, "ml/big.yaml": big])
        let source = try GitTreeSource(repository: try GitRepository(path: fixture.path), commit: sha, root: "ml")
        #expect(source.byteCount("big.yaml") == big.utf8.count)
        #expect(source.byteCount("contract.yaml") == Self.contract.utf8.count)
        #expect(source.byteCount("missing.yaml") == nil)
        let result = try ManifestLoader().load(source)
        #expect(result.diagnostics.map(\.description) == [
            "ml/big.yaml:1:1: file is \(big.utf8.count) bytes, more than the limit of 4194304 bytes; split it or keep large data out of manifests",
        ])
    }

    @Test("directories and missing files are told apart in the tree")
    func pathStatus() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("files", files: ["ml/models/a.yaml": "a: 1\n", "other/b.yaml": "b: 1\n"])
        let source = try GitTreeSource(repository: try GitRepository(path: fixture.path), commit: sha, root: "ml")
        #expect(source.status(of: "models") == .directory)
        #expect(source.status(of: "models/a.yaml") == .file)
        #expect(source.status(of: "models/b.yaml") == .missing)
        #expect(source.status(of: "../other/b.yaml") == .escapesRoot)
        #expect(try source.listFiles().map(\.path) == ["models/a.yaml"])
        #expect(source.displayPath("models/a.yaml") == "ml/models/a.yaml")
    }
}
