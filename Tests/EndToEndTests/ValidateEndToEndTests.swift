import Foundation
import Testing
import SextantTestSupport

/// Runs the built binary the way a person or CI does: real processes, real Git repositories.
@Suite struct ValidateEndToEndTests {
    static let policy = """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary}
        spec:
          strategy: canary
          steps: [{setWeight: 10}, {pause: {duration: 30s}}]

        """

    @Test("the quickstart example validates, exit 0, with a one-line summary")
    func quickstart() async throws {
        let output = try await sextant("validate", "examples/quickstart", in: packageRoot)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasPrefix("examples/quickstart: valid, 6 manifests in 6 files"))
        #expect(output.stderr.isEmpty)
    }

    @Test("broken manifests: every error as PATH:LINE:COL, exit 1")
    func invalid() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("policies/canary.yaml", Self.policy.replacingOccurrences(of: "setWeight: 10", with: "setWeight: 150"))
        try directory.write("policies/other.yaml", "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: other}\nspec: {strategy: canary, stpes: []}\n")
        let run = try await sextant("validate", directory.path)
        #expect(run.status == 1)
        #expect(run.stdout == """
            \(directory.path)/policies/canary.yaml:6:23: spec.steps[0].setWeight: 150 is out of range; must be 0–100
            \(directory.path)/policies/other.yaml:4:7: spec: a canary needs steps with at least one setWeight, like [{setWeight: 10}, {pause: {duration: 1m}}]
            \(directory.path)/policies/other.yaml:4:26: spec.stpes: unknown field "stpes"; did you mean "steps"?
            \(directory.path): 3 errors in 2 files (2 manifests in 2 files)

            """)
    }

    @Test("paths print as given on the command line, relative stays relative")
    func relativePaths() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("repo/a.yaml", "kind: Nope\n")
        let run = try await sextant("validate", "repo", in: directory.path)
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("repo/a.yaml:1:7: unknown kind \"Nope\""))
    }

    @Test("-o github prints workflow annotations with repository-relative paths")
    func github() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("ml/p.yaml", "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: Bad_Name}\nspec: {strategy: replace}\n")
        let run = try await sextant("validate", "./ml", "-o", "github", in: directory.path)
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("::error file=ml/p.yaml,line=3,col=18::metadata.name: name \"Bad_Name\" must be a DNS-1123 label"))
    }

    @Test("-o json is one JSON document listing manifests and errors")
    func json() async throws {
        let run = try await sextant("validate", "examples/quickstart", "-o", "json", in: packageRoot)
        #expect(run.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == true)
        #expect((document["errors"] as? [Any])?.isEmpty == true)
        let kinds = (document["manifests"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == ["Model", "Dataset", "DataContract", "SLO", "SLO", "RolloutPolicy"])
    }

    @Test("--repo reads any commit without a work tree; errors are relative to the repository root")
    func gitCommits() async throws {
        let fixture = try GitFixture()
        let good = try fixture.commit("add canary", files: ["deploy/policies/canary.yaml": Self.policy, "README.md": "hi\n"])
        try fixture.git("tag", "v1")
        try fixture.commit("break it", files: ["deploy/policies/canary.yaml": Self.policy.replacingOccurrences(of: "30s", with: "soon")])
        // Make the work tree disagree with every commit: validate must not look at it.
        try fixture.directory.write("deploy/policies/canary.yaml", "this: [is not: valid")

        let head = try await sextant("validate", "--repo", fixture.path, "--ref", "main", "--path", "deploy")
        #expect(head.status == 1)
        #expect(head.stdout.hasPrefix("deploy/policies/canary.yaml:6:47: spec.steps[1].pause.duration: \"soon\" is not a duration"))

        let tagged = try await sextant("validate", "--repo", fixture.path, "--ref", "v1", "--path", "deploy")
        #expect(tagged.status == 0, "\(tagged.stdout)")
        #expect(tagged.stdout.contains("(\(good.prefix(7)))"))
        #expect(tagged.stdout.contains("valid, 1 manifest in 1 file (1 RolloutPolicy)"))
    }

    @Test("usage and source errors exit 2 with one clear line", arguments: [
        (["validate", "/nonexistent/dir"], "/nonexistent/dir: no such directory"),
        (["validate", "--repo", "/nonexistent/repo"], "open repository /nonexistent/repo"),
        (["validate", "--path", "x"], "--path needs --repo"),
        (["validate", "-o", "xml"], "xml"),
        (["schema", "Widget"], "unknown kind \"Widget\""),
        (["frobnicate"], "frobnicate"),
    ])
    func usageErrors(arguments: [String], fragment: String) async throws {
        let run = try await runProcess(sextantBinary, arguments, environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 2)
        #expect(run.stderr.contains(fragment), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
    }

    @Test("an unknown ref exits 2 naming the ref")
    func unknownRef() async throws {
        let fixture = try GitFixture()
        try fixture.commit("empty")
        let run = try await sextant("validate", "--repo", fixture.path, "--ref", "nope")
        #expect(run.status == 2)
        #expect(run.stderr.contains("resolve \"nope\""))
    }

    @Test("a directory without manifests is valid but warns: it is probably the wrong path")
    func emptyRoot() async throws {
        let directory = try TemporaryDirectory()
        let run = try await sextant("validate", directory.path)
        #expect(run.status == 0)
        #expect(run.stderr.contains("no .yaml or .yml manifests found"))
    }

    @Test("sextant schema KIND prints the checked-in schema")
    func schema() async throws {
        let run = try await sextant("schema", "RolloutPolicy")
        #expect(run.status == 0)
        #expect(run.stdout == (try String(contentsOfFile: "\(packageRoot)/manifests/schemas/rolloutpolicy.json", encoding: .utf8)))
        let all = try await sextant("schema")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(document.keys.sorted() == ["DataContract", "Dataset", "Model", "RolloutPolicy", "SLO"])
    }

    @Test("help texts carry examples")
    func help() async throws {
        for command in ["validate", "schema"] {
            let run = try await sextant(command, "--help")
            #expect(run.status == 0)
            #expect(run.stdout.contains("Examples:"))
        }
    }
}
