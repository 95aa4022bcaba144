import Testing
import SextantGit
import SextantTestSupport

@Suite struct GitRepositoryTests {
    @Test("resolves branches, tags, full and short SHAs and revision expressions")
    func resolve() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", files: ["a.yaml": "a: 1\n"])
        try fixture.git("tag", "-a", "v1", "-m", "release 1")
        let second = try fixture.commit("second", files: ["a.yaml": "a: 2\n"])
        try fixture.git("branch", "old", first)
        let repository = try GitRepository(path: fixture.path)
        #expect(try repository.resolve("main") == second)
        #expect(try repository.resolve("HEAD") == second)
        #expect(try repository.resolve("v1") == first)  // an annotated tag peels to its commit
        #expect(try repository.resolve("old") == first)
        #expect(try repository.resolve(String(first.prefix(8))) == first)
        #expect(try repository.resolve("HEAD~1") == first)
        #expect(try repository.resolve(second) == second)
    }

    @Test("an unknown ref is a not-found error naming the ref")
    func unknownRef() throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["a.yaml": "a: 1\n"])
        let repository = try GitRepository(path: fixture.path)
        let error = #expect(throws: GitError.self) { try repository.resolve("no-such-branch") }
        #expect(error?.isNotFound == true)
        #expect(error?.description.contains("resolve \"no-such-branch\"") == true)
    }

    @Test("opening a folder that is not a repository fails with libgit2's reason")
    func notARepository() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: GitError.self) { try GitRepository(path: directory.path) }
        #expect(error?.operation == "open repository \(directory.path)")
        #expect(error?.message.isEmpty == false)
    }

    @Test("commit metadata: SHA, subject, author and time")
    func commitInfo() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("raise canary\n\nlonger body", files: ["a.yaml": "a: 1\n"])
        let info = try GitRepository(path: fixture.path).commitInfo(sha)
        #expect(info.sha == sha)
        #expect(info.shortSHA == String(sha.prefix(7)))
        #expect(info.subject == "raise canary")
        #expect(info.authorName == "Ada Lovelace")
        #expect(info.authorEmail == "ada@example.com")
        #expect(info.authorTime == 1_795_255_200)
    }

    @Test("lists the files of any commit under a prefix, without a work tree")
    func files() async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", files: [
            "ml/models/a.yaml": "a: 1\n", "ml/data/x.csv": "x\n1\n", "ml/run.sh": "#!/bin/sh\n", "README.md": "hi\n",
        ])
        _ = try await runProcess("/bin/chmod", ["+x", "\(fixture.path)/ml/run.sh"])
        try fixture.directory.symlink("ml/link.csv", to: "data/x.csv")
        let second = try fixture.commit("second", removing: ["ml/models/a.yaml"])
        // The work tree no longer matters: delete it entirely.
        try fixture.directory.remove("ml")
        let repository = try GitRepository(path: fixture.path)
        let old = try repository.files(at: first, under: "ml")
        #expect(old.map(\.path).sorted() == ["data/x.csv", "models/a.yaml", "run.sh"])
        let new = try repository.files(at: second, under: "ml/")
        #expect(Set(new.map(\.path)) == ["data/x.csv", "link.csv", "run.sh"])
        #expect(new.first { $0.path == "link.csv" }?.kind == .symlink)
        #expect(new.first { $0.path == "run.sh" }?.kind == .executable)
        #expect(try repository.files(at: second).count == 4)
        #expect(try repository.read("ml/models/a.yaml", at: first) == Array("a: 1\n".utf8))
        let link = try #require(new.first { $0.path == "link.csv" })
        #expect(try repository.read(link) == Array("data/x.csv".utf8))
    }

    @Test("a missing prefix or file is a not-found error")
    func missing() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("first", files: ["ml/a.yaml": "a: 1\n"])
        let repository = try GitRepository(path: fixture.path)
        #expect(throws: GitError.self) { try repository.files(at: sha, under: "nope") }
        let file = #expect(throws: GitError.self) { try repository.files(at: sha, under: "ml/a.yaml") }
        #expect(file?.isNotFound == true)
        let read = #expect(throws: GitError.self) { try repository.read("ml/b.yaml", at: sha) }
        #expect(read?.isNotFound == true)
    }
}
