import Testing
import SextantGit
import SextantTestSupport

@Suite struct GitMirrorTests {
    @Test("a mirror fetches one branch, follows new commits and force pushes, and reads blobs by id")
    func fetch() throws {
        let upstream = try GitFixture()
        let first = try upstream.commit("first", files: ["a.yaml": "a: 1\n"])
        let state = try TemporaryDirectory()
        let mirror = try GitRepository.mirror(of: "file://" + upstream.path, at: state.path + "/source.git")
        #expect(try mirror.fetch(branch: "main") == first)

        let second = try upstream.commit("second", files: ["a.yaml": "a: 2\n"])
        #expect(try mirror.fetch(branch: "main") == second)
        #expect(try mirror.isDescendant(second, of: first))

        // A force push to a commit that does not descend from the last one is followed.
        try upstream.git("reset", "-q", "--hard", first)
        let rewritten = try upstream.commit("rewritten", files: ["a.yaml": "a: 3\n"])
        #expect(try mirror.fetch(branch: "main") == rewritten)
        #expect(try !mirror.isDescendant(rewritten, of: second))

        let entry = try #require(try mirror.files(at: rewritten).first)
        #expect(try mirror.readBlob(entry.objectID) == Array("a: 3\n".utf8))

        // Reopening finds the same mirror; another URL is refused.
        #expect(try GitRepository.mirror(of: "file://" + upstream.path, at: state.path + "/source.git").fetch(branch: "main") == rewritten)
        let error = #expect(throws: GitError.self) { try GitRepository.mirror(of: "/elsewhere", at: state.path + "/source.git") }
        #expect(error?.message.hasPrefix("it mirrors file://\(upstream.path), not /elsewhere") == true)
    }

    @Test("a missing branch and an unreachable remote are errors that say so")
    func failures() throws {
        let upstream = try GitFixture()
        try upstream.commit("first", files: ["a.yaml": "a: 1\n"])
        let state = try TemporaryDirectory()
        let mirror = try GitRepository.mirror(of: upstream.path, at: state.path + "/m.git")
        let missing = #expect(throws: GitError.self) { try mirror.fetch(branch: "nope") }
        #expect(missing?.description.contains("fetch nope from \(upstream.path)") == true, "\(String(describing: missing))")
        let gone = try GitRepository.mirror(of: "/nonexistent/repository", at: state.path + "/gone.git")
        #expect(throws: GitError.self) { try gone.fetch(branch: "main") }
    }
}
