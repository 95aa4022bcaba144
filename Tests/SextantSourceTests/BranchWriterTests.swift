import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantGit
import SextantSource
import SextantTestSupport
import SextantYAML

/// Proposed changes as commits on `sextant/<purpose>/<model>`, pushed to a real repository.
@Suite struct BranchWriterTests {
    static let dataset = """
        # The transactions, pinned.
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: tx}
        spec:
          source: {path: data/tx.csv}   # read from the commit
          sha256: '\(String(repeating: "a", count: 64))'
          contract: urn:datacontract:tx

        """

    /// A bare repository whose `main` holds a valid manifest set under `ml/` (libgit2
    /// pushes to local repositories only when they are bare), and the daemon's source following it.
    struct Setup {
        let fixture: GitFixture
        let state: TemporaryDirectory
        let source: RepositorySource
        let base: String
        var remotePath: String { state.path + "/remote.git" }

        init() async throws {
            fixture = try GitFixture()
            base = try fixture.commit("first", files: [
                "ml/contract.yaml": GitTreeSourceTests.contract, "ml/dataset.yaml": BranchWriterTests.dataset, "ml/data/tx.csv": "id\n1\n",
            ])
            state = try TemporaryDirectory("sextant-state")
            try fixture.git("clone", "-q", "--bare", fixture.path, state.path + "/remote.git")
            source = RepositorySource(url: state.path + "/remote.git", branch: "main", root: "ml", stateDirectory: state.path)
            #expect(try await source.fetch().commit == base)
        }

        /// `git` in the bare remote.
        func git(_ arguments: String...) throws -> String {
            let output = try runProcessBlocking("/usr/bin/git", ["--git-dir", remotePath] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": state.path])
            guard output.status == 0 else { throw FixtureError("git \(arguments.joined(separator: " ")): \(output.stderr)") }
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func edited(_ edits: [YAMLEdit]) throws -> [String: [UInt8]?] {
            ["ml/dataset.yaml": try YAMLEditor(Array(BranchWriterTests.dataset.utf8), file: "ml/dataset.yaml").applying(edits)]
        }
    }

    @Test("an edited manifest is committed on sextant/retrain/<model> by the author given, and pushed; main stays")
    func retrainBranch() async throws {
        let setup = try await Setup()
        let author = try #require(GitSignature(parsing: "Retrain Bot <bot@example.com>"))
        let written = try await setup.source.writeBranch(
            base: setup.base, purpose: .retrain, model: "tx", changes: try setup.edited([.setScalar(["spec", "sha256"], .string(String(repeating: "b", count: 64)))]),
            message: "Retrain tx on new data", settings: BranchWriteSettings(author: author), time: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(written.branch == "sextant/retrain/tx")
        #expect(written.baseCommit == setup.base)
        #expect(try setup.git("rev-parse", "sextant/retrain/tx") == written.headCommit)
        #expect(try setup.git("rev-parse", "sextant/retrain/tx^") == setup.base)
        #expect(try setup.git("log", "-1", "--format=%an <%ae> %s", "sextant/retrain/tx") == "Retrain Bot <bot@example.com> Retrain tx on new data")
        #expect(try setup.git("diff", setup.base, "sextant/retrain/tx").contains("-  sha256: '\(String(repeating: "a", count: 64))'\n+  sha256: '\(String(repeating: "b", count: 64))'\n"))
        #expect(try setup.git("diff", "--numstat", setup.base, "sextant/retrain/tx") == "1\t1\tml/dataset.yaml")
        #expect(try setup.git("rev-parse", "main") == setup.base)
        // The mirror still follows main.
        #expect(try await setup.source.fetch().commit == setup.base)

        // A rollback branch for the same model is its own branch.
        let rollback = try await setup.source.writeBranch(
            base: setup.base, purpose: .rollback, model: "tx", changes: try setup.edited([.setScalar(["spec", "sha256"], .string(String(repeating: "0", count: 64)))]),
            message: "Roll tx back", settings: BranchWriteSettings(), time: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(try setup.git("log", "-1", "--format=%an <%ae>", rollback.branch) == "Sextant <sextant@localhost>")
        #expect(try setup.git("rev-parse", "sextant/retrain/tx") == written.headCommit)
    }

    @Test("an edit that no longer validates is refused with the loader's diagnostics, and nothing is pushed")
    func invalidEdit() async throws {
        let setup = try await Setup()
        let error = await #expect(throws: BranchWriteError.self) {
            try await setup.source.writeBranch(
                base: setup.base, purpose: .retrain, model: "tx", changes: try setup.edited([.setScalar(["spec", "sha256"], .string("not-a-hash"))]),
                message: "broken", settings: BranchWriteSettings(), time: Date())
        }
        guard case .invalidManifests(let branch, let diagnostics)? = error else {
            Issue.record("expected invalid manifests, got \(String(describing: error))")
            return
        }
        #expect(branch == "sextant/retrain/tx")
        #expect(diagnostics.first?.file == "ml/dataset.yaml")
        #expect(diagnostics.map(\.description) == ["ml/dataset.yaml:7:11: spec.sha256: sha256 must be 64 lowercase hex digits (the output of sha256sum)"])
        #expect(error?.description.hasPrefix("not writing sextant/retrain/tx: the edited manifests do not validate: ml/dataset.yaml:") == true)
        #expect(throws: (any Error).self) { try setup.git("rev-parse", "--verify", "refs/heads/sextant/retrain/tx") }
    }

    @Test("a push the remote refuses is a Git error naming the branch")
    func refusedPush() async throws {
        let setup = try await Setup()
        // A remote that is gone by the time of the push.
        try FileManager.default.removeItem(atPath: setup.remotePath)
        let error = await #expect(throws: BranchWriteError.self) {
            try await setup.source.writeBranch(base: setup.base, purpose: .retrain, model: "tx", changes: try setup.edited([.setScalar(["spec", "sha256"], .string(String(repeating: "c", count: 64)))]),
                                       message: "m", settings: BranchWriteSettings(), time: Date())
        }
        guard case .git(let gitError)? = error else {
            Issue.record("expected a Git error, got \(String(describing: error))")
            return
        }
        #expect(gitError.operation.contains("to sextant/retrain/tx on \(setup.remotePath)"), "\(gitError)")
    }
}
