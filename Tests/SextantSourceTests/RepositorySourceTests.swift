import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantSource
import SextantTestSupport

/// The followed branch, mirrored into a state directory and read commit by commit.
@Suite struct RepositorySourceTests {
    @Test("fetch mirrors the branch and reports its head; load and readBlob read that commit")
    func fetchAndLoad() async throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("first data", files: [
            "ml/contract.yaml": GitTreeSourceTests.contract, "ml/dataset.yaml": GitTreeSourceTests.dataset("tx.csv"), "ml/tx.csv": "id\n1\n",
        ])
        let state = try TemporaryDirectory("sextant-state")
        let source = RepositorySource(url: fixture.path, branch: "main", root: "./ml", stateDirectory: state.path)
        let revision = try await source.fetch()
        #expect(revision.commit == sha)
        #expect(revision.subject == "first data")
        #expect(revision.replaced == nil)
        #expect(FileManager.default.fileExists(atPath: state.path + "/source.git"))
        let loaded = try await source.load(sha)
        #expect(loaded.result.isValid)
        let blob = try #require(loaded.blobs["tx.csv"])
        #expect(try await source.readBlob(blob) == Array("id\n1\n".utf8))
    }

    @Test("a force-pushed branch reports the head it replaced")
    func forcePush() async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", files: ["a.yaml": "a: 1\n"])
        let second = try fixture.commit("second", files: ["a.yaml": "a: 2\n"])
        let state = try TemporaryDirectory("sextant-state")
        let source = RepositorySource(url: fixture.path, branch: "main", root: "", stateDirectory: state.path)
        #expect(try await source.fetch().commit == second)
        try fixture.git("reset", "-q", "--hard", first)
        let rewritten = try fixture.commit("rewritten", files: ["a.yaml": "a: 3\n"])
        let revision = try await source.fetch()
        #expect(revision.commit == rewritten)
        #expect(revision.replaced == second)
        let ahead = try fixture.commit("ahead", files: ["a.yaml": "a: 4\n"])
        #expect(try await source.fetch().replaced == nil, "\(ahead) descends from the head fetched before")
    }

    @Test("a local --repo that cannot be followed is told apart from a URL", arguments: [
        ("missing", "no such directory"),
        ("file", "not a directory; give the repository's directory or a URL"),
        ("plain", "not a Git repository (no .git inside); give the repository's top directory, and --path for a directory in it"),
    ])
    func localProblem(name: String, problem: String) async throws {
        let directory = try TemporaryDirectory()
        try directory.write("file", "not a repository\n")
        try directory.write("plain/a.yaml", "a: 1\n")
        let path = directory.path + "/" + name
        #expect(RepositorySource.localProblem(path) == problem)
        let source = RepositorySource(url: path, branch: "main", root: "", stateDirectory: directory.path + "/state")
        await #expect(throws: SourceFailure("--repo \(path): \(problem)")) { try await source.fetch() }
    }

    @Test("URLs and repositories have no local problem; relative paths become absolute")
    func followable() throws {
        let fixture = try GitFixture()
        #expect(RepositorySource.localProblem(fixture.path) == nil)
        #expect(RepositorySource.localProblem("https://github.com/acme/ml-config") == nil)
        #expect(RepositorySource.localProblem("git@github.com:acme/ml-config.git") == nil)
        #expect(RepositorySource.normalize("config/../repo") == FileManager.default.currentDirectoryPath + "/repo")
        #expect(RepositorySource.normalize("ssh://git@example.com/repo.git") == "ssh://git@example.com/repo.git")
    }
}
