import Foundation
import Testing
import SextantCore
import SextantTestSupport

/// `sextant plan` on pull-request branches and against a reconciled state.
@Suite struct PlanEndToEndTests {
    func plan(_ repository: GitFixture, _ arguments: String...) throws -> ProcessOutput {
        try runProcess(sextantBinary, ["plan", "--repo", repository.path] + arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    @Test("a pull request that narrows a contract and changes data: markdown for the PR, exit 1")
    func pullRequest() throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        try repository.git("checkout", "-q", "-b", "feature")
        try repository.commit("narrow amount, more data", files: [
            "contracts/tx.yaml": ReconcileEndToEndTests.contract.replacingOccurrences(of: "minimum: 0", with: "minimum: 1"),
            "data/tx.csv": ReconcileEndToEndTests.goodData + "d,3,us,true\n",
        ])
        let markdown = try plan(repository, "--base", "main", "--head", "feature", "-o", "markdown")
        #expect(markdown.status == 1, "\(markdown.stderr)")
        #expect(markdown.stdout.hasPrefix("### Sextant plan: `main` → `feature`\n"))
        #expect(markdown.stdout.contains("**2 objects change, 1 breaking.**"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("#### DataContract `tx`: modified — ⚠️ breaking"))
        #expect(markdown.stdout.contains("| `schema[tx].properties[amount].logicalTypeOptions.minimum` | `0` | `1` |"))
        #expect(markdown.stdout.contains("- **breaking:** tx.amount: minimum narrowed from 0 to 1"))
        #expect(markdown.stdout.contains("- data/tx.csv will be checked against contract tx 1.0.0 (the data changed, the contract changed)"))

        let json = try plan(repository, "--base", "main", "--head", "feature", "-o", "json")
        let review = try StatusDocument.jsonDecoder().decode(ChangeReview.self, from: Data(json.stdout.utf8))
        #expect(review.objects.map { "\($0.kind)/\($0.name)" } == ["Dataset/tx", "DataContract/tx"])
        #expect(review.breakingCount == 1)

        #expect(try plan(repository, "--base", "feature", "--head", "feature").status == 0, "no change, exit 0")
        let text = try plan(repository, "--base", "feature", "--head", "feature")
        #expect(text.stdout.hasSuffix("no changes\n"))
    }

    @Test("an invalid head: the validation errors, exit 2")
    func invalidHead() throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        try repository.git("checkout", "-q", "-b", "broken")
        try repository.commit("typo", files: ["datasets/tx.yaml": ReconcileEndToEndTests.dataset().replacingOccurrences(of: "contract: tx", with: "contract: tz")])
        let run = try plan(repository, "--base", "main", "--head", "broken", "-o", "markdown")
        #expect(run.status == 2)
        #expect(run.stdout.contains("**The head does not validate: nothing would be applied.**"))
        #expect(run.stdout.contains("datasets/tx.yaml:6:13: spec.contract: no DataContract with id or name \"tz\"; did you mean \"tx\"?"), "\(run.stdout)")
        #expect(run.stdout.contains("Base `"), "the base is named even when the head is invalid")
    }

    @Test("without --base: the head against what the reconciler applied and observed")
    func againstState() throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        let state = try TemporaryDirectory()
        let reconciled = try runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path,
                                                             "--gateway", "127.0.0.1:\(try freePort())"])
        defer { _ = try? runProcess(sextantBinary, ["down", "--state-dir", state.path]) }
        #expect(reconciled.status == 0)
        #expect(try plan(repository, "--state-dir", state.path).status == 0, "converged: nothing to do")
        try repository.commit("new data", files: ["data/tx.csv": ReconcileEndToEndTests.goodData + "e,1,eu,false\n"])
        let run = try plan(repository, "--state-dir", state.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("Dataset/tx  data changed  datasets/tx.yaml\n  → data/tx.csv will be checked against contract tx 1.0.0 (the data changed)"), "\(run.stdout)")
        let noState = try plan(repository, "--state-dir", state.path + "/nowhere")
        #expect(noState.status == 2)
        #expect(noState.stderr.contains("or compare two refs with --base REF --head REF"))
    }
}
