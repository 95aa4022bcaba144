import Testing
import SextantAPI
import SextantCore
import SextantGit
import SextantSource
import SextantTestSupport

@Suite struct ParseCacheTests {
    @Test("a commit that changes one file reuses every other parsed file, and sees the change")
    func reuse() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", files: [
            "contract.yaml": GitTreeSourceTests.contract, "dataset.yaml": GitTreeSourceTests.dataset("data.csv"), "data.csv": "id\n1\n",
        ])
        let second = try fixture.commit("second", files: ["dataset.yaml": GitTreeSourceTests.dataset("other.csv"), "other.csv": "id\n2\n"])
        let repository = try GitRepository(path: fixture.path)
        let cache = ParseCache()
        let before = try repository.loadCommit(first, root: "", cache: cache).result
        let after = try repository.loadCommit(second, root: "", cache: cache).result
        #expect(before.isValid && after.isValid)
        let contractBefore = try #require(before.manifests.all.first { $0.kind == .dataContract })
        let contractAfter = try #require(after.manifests.all.first { $0.kind == .dataContract })
        #expect(contractBefore === contractAfter, "the unchanged file was not parsed again")
        #expect(after.manifests.dataset(named: "tx")?.spec.source.path == "other.csv")
        let uncached = try repository.loadCommit(second, root: "").result
        #expect(uncached.manifests.all.first { $0.kind == .dataContract } !== contractAfter)
    }
}
