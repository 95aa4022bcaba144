import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantGit
import SextantSource
import SextantTestSupport

/// A commit's manifest set as the daemon and `plan` load it, from a real repository.
@Suite struct LoadCommitTests {
    @Test("a commit's manifests load with the blob id of every file under the root and of each dataset's data")
    func manifestsAndBlobs() throws {
        let fixture = try GitFixture()
        try fixture.directory.symlink("ml/data/latest.csv", to: "tx.csv")
        let sha = try fixture.commit("data", files: [
            "ml/contract.yaml": GitTreeSourceTests.contract,
            "ml/dataset.yaml": GitTreeSourceTests.dataset("data/latest.csv"),
            "ml/data/tx.csv": "id\n1\n",
            "README.md": "outside the watched root\n",
        ])
        let loaded = try GitRepository(path: fixture.path).loadCommit(sha, root: "ml")
        #expect(loaded.result.isValid)
        #expect(loaded.result.manifests.datasets.map(\.metadata.name) == ["tx"])
        #expect(loaded.result.manifests.all.map(\.kind).sorted() == [.dataset, .dataContract].sorted())
        let data = try fixture.git("rev-parse", "\(sha):ml/data/tx.csv")
        #expect(loaded.blobs["data/tx.csv"] == data)
        #expect(loaded.blobs["data/latest.csv"] == data, "the dataset's path, through its symlink")
        #expect(loaded.blobs["contract.yaml"] == (try fixture.git("rev-parse", "\(sha):ml/contract.yaml")))
        #expect(loaded.blobs["README.md"] == nil && loaded.blobs["../README.md"] == nil)
    }

    @Test("a commit with an invalid manifest loads with its diagnostics, not as an error")
    func invalidManifest() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("typo", files: [
            "ml/contract.yaml": GitTreeSourceTests.contract,
            "ml/dataset.yaml": GitTreeSourceTests.dataset("data/tx.csv").replacingOccurrences(of: "{source:", with: "{sorce:"),
            "ml/data/tx.csv": "id\n1\n",
        ])
        let loaded = try GitRepository(path: fixture.path).loadCommit(sha, root: "ml")
        #expect(!loaded.result.isValid)
        #expect(loaded.result.diagnostics.map(\.description) == [
            #"ml/dataset.yaml:4:1: spec.source: required field "source" is missing"#,
            #"ml/dataset.yaml:4:8: spec.sorce: unknown field "sorce"; did you mean "source"?"#,
        ])
        #expect(loaded.blobs["data/tx.csv"] != nil, "the files are listed whatever the manifests say")
    }

    @Test("a watched root the commit does not have says so and names --path")
    func missingRoot() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("elsewhere", files: ["other/a.yaml": "a: 1\n"])
        #expect {
            try GitRepository(path: fixture.path).loadCommit(sha, root: "ml")
        } throws: { error in
            "\(error)" == "read ml/ at \(sha.prefix(7)): no such directory in the commit; check --path"
        }
    }
}
