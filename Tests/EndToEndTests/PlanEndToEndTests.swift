import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantTestSupport

/// `sextant plan` on pull-request branches and against a reconciled state.
@Suite struct PlanEndToEndTests {
    func plan(_ repository: GitFixture, _ arguments: String...) async throws -> ProcessOutput {
        try await runProcess(sextantBinary, ["plan", "--repo", repository.path] + arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    @Test("a pull request that narrows a contract and changes data: markdown for the PR, exit 1")
    func pullRequest() async throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        try repository.git("checkout", "-q", "-b", "feature")
        try repository.commit("narrow amount, more data", files: [
            "contracts/tx.yaml": ReconcileEndToEndTests.contract.replacingOccurrences(of: "minimum: 0", with: "minimum: 1"),
            "data/tx.csv": ReconcileEndToEndTests.goodData + "d,3,us,true\n",
        ])
        let markdown = try await plan(repository, "--base", "main", "--head", "feature", "-o", "markdown")
        #expect(markdown.status == 1, "\(markdown.stderr)")
        #expect(markdown.stdout.hasPrefix("### Sextant plan: `main` → `feature`\n"))
        #expect(markdown.stdout.contains("**2 objects change: 1 blocked (DataInvalid), 1 breaking.**"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("#### Dataset `tx`: data and contract changed"))
        #expect(markdown.stdout.contains("**⛔ Will be blocked: DataInvalid, 1 row breaks amount ≥ 1**"), "b,0,us,false has amount 0")
        #expect(markdown.stdout.contains("#### DataContract `tx`: modified — ⚠️ breaking"))
        #expect(markdown.stdout.contains("| `schema[tx].properties[amount].logicalTypeOptions.minimum` | `0` | `1` |"))
        #expect(markdown.stdout.contains("- **breaking:** tx.amount: minimum narrowed from 0 to 1"))
        #expect(markdown.stdout.contains("- data/tx.csv will be checked against contract tx 1.0.0 (the data changed, the contract changed)"))

        let json = try await plan(repository, "--base", "main", "--head", "feature", "-o", "json")
        let review = try StatusDocument.jsonDecoder().decode(ChangeReview.self, from: Data(json.stdout.utf8))
        #expect(review.objects.map { "\($0.kind)/\($0.name)" } == ["Dataset/tx", "DataContract/tx"])
        #expect(review.breakingCount == 1)

        #expect(try await plan(repository, "--base", "feature", "--head", "feature").status == 0, "no change, exit 0")
        let text = try await plan(repository, "--base", "feature", "--head", "feature")
        #expect(text.stdout.hasSuffix("no changes\n"))
    }

    @Test("an invalid head: the validation errors, exit 2")
    func invalidHead() async throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        try repository.git("checkout", "-q", "-b", "broken")
        try repository.commit("typo", files: ["datasets/tx.yaml": ReconcileEndToEndTests.dataset().replacingOccurrences(of: "contract: tx", with: "contract: tz")])
        let run = try await plan(repository, "--base", "main", "--head", "broken", "-o", "markdown")
        #expect(run.status == 2)
        #expect(run.stdout.contains("**The head does not validate: nothing would be applied.**"))
        #expect(run.stdout.contains("datasets/tx.yaml:6:13: spec.contract: no DataContract with id or name \"tz\"; did you mean \"tx\"?"), "\(run.stdout)")
        #expect(run.stdout.contains("Base `"), "the base is named even when the head is invalid")
    }

    @Test("without --base: the head against what the reconciler applied and observed")
    func againstState() async throws {
        let repository = try GitFixture()
        try repository.commit("base", files: ReconcileEndToEndTests.files)
        let state = try TemporaryDirectory()
        let reconciled = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path,
                                                             "--gateway", "127.0.0.1:\(try freePort())"])
        defer { _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path]) }
        #expect(reconciled.status == 0)
        #expect(try await plan(repository, "--state-dir", state.path).status == 0, "converged: nothing to do")
        try repository.commit("new data", files: ["data/tx.csv": ReconcileEndToEndTests.goodData + "e,1,eu,false\n"])
        let run = try await plan(repository, "--state-dir", state.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("""
            Dataset/tx  data changed  datasets/tx.yaml
              ⇒ will pass: 4 rows meet contract tx 1.0.0 (11 checks)
              → data/tx.csv will be checked against contract tx 1.0.0 (the data changed)
            """), "\(run.stdout)")
        let noState = try await plan(repository, "--state-dir", state.path + "/nowhere")
        #expect(noState.status == 2)
        #expect(noState.stderr.contains("or compare two refs with --base REF --head REF"))
    }

    /// The quickstart, and its data's rows whose `hour` is above `limit`, counted here from
    /// the CSV (an awk count, `awk -F, 'NR>1 && $3>22' data/transactions.csv | wc -l`, agrees: 48).
    static func quickstart(hoursAbove limit: Int) throws -> (files: [String: String], rows: Int) {
        let files = try ModelLifecycleEndToEndTests.Setup.files(of: "quickstart")
        let lines = try #require(files["data/transactions.csv"]).split(separator: "\n")
        let hour = try #require(lines.first?.split(separator: ",").firstIndex(of: "hour"))
        let rows = lines.dropFirst().filter { Int($0.split(separator: ",", omittingEmptySubsequences: false)[hour])! > limit }.count
        return (files, rows)
    }

    @Test("the quickstart pull request that narrows hour to ≤ 22 and changes l2: blocked, naming the column and the rows; the model does not retrain")
    func quickstartNarrowedHour() async throws {
        let (files, rows) = try Self.quickstart(hoursAbove: 22)
        #expect(rows == 48, "the quickstart data has 48 transactions at hour 23")
        let repository = try GitFixture()
        try repository.commit("quickstart", files: files)
        try repository.git("checkout", "-q", "-b", "narrow")
        let contract = try #require(files["contracts/transactions.odcs.yaml"])
        let model = try #require(files["models/fraud-detector.yaml"])
        try repository.commit("hour ≤ 22, l2 0.01", files: [
            "contracts/transactions.odcs.yaml": contract.replacingOccurrences(of: "maximum: 23", with: "maximum: 22"),
            "models/fraud-detector.yaml": model.replacingOccurrences(of: "    # hyperparameters: {l2: 0.01}", with: "    hyperparameters: {l2: 0.01}  #"),
        ])

        let text = try await plan(repository, "--base", "main", "--head", "narrow", "--state-dir", repository.path + "/no-store")
        #expect(text.status == 1, "\(text.stderr)")
        #expect(text.stdout.contains("3 objects change: 2 blocked (DataInvalid), 1 breaking\n"), "\(text.stdout)")
        #expect(text.stdout.contains("""
            Dataset/transactions  contract changed  datasets/transactions.yaml
              ⇒ will be blocked: DataInvalid, \(rows) rows break hour ≤ 22
            """), "\(text.stdout)")
        #expect(text.stdout.contains("""
            Model/fraud-detector  modified  models/fraud-detector.yaml
              serving now: not known here (no store in --state-dir)
              spec.training.hyperparameters: (none) → {l2: 0.01}
              ⇒ will not retrain: dataset transactions is DataInvalid at head
            """), "\(text.stdout)")
        #expect(!text.stdout.contains("retrains"), "no retraining, canary or promotion story")
        #expect(!text.stdout.contains("canary by"))
        #expect(text.stdout.contains("    -          maximum: 23\n    +          maximum: 22\n"), "the text plan indents the unified diff")

        let markdown = try await plan(repository, "--base", "main", "--head", "narrow", "-o", "markdown")
        #expect(markdown.stdout.contains("**⛔ Will be blocked: DataInvalid, \(rows) rows break hour ≤ 22**"))
        #expect(markdown.stdout.contains("""
            <details><summary>diff contracts/transactions.odcs.yaml</summary>

            ```diff
            diff --git a/contracts/transactions.odcs.yaml b/contracts/transactions.odcs.yaml
            """), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("""
                       minimum: 0
            -          maximum: 23
            +          maximum: 22
            """))
        #expect(markdown.stdout.contains("<details><summary>diff models/fraud-detector.yaml</summary>"))
        #expect(markdown.stdout.components(separatedBy: "</details>").count == 3, "one diff per changed file")

        let json = try await plan(repository, "--base", "main", "--head", "narrow", "-o", "json")
        let review = try StatusDocument.jsonDecoder().decode(ChangeReview.self, from: Data(json.stdout.utf8))
        let dataset = try #require(review.objects.first { $0.kind == .dataset })
        #expect(dataset.change == .contractChanged)
        #expect(dataset.outcome == Outcome(.blocked, reason: "DataInvalid", "will be blocked: DataInvalid, \(rows) rows break hour ≤ 22"))
        #expect(dataset.diff == nil, "the dataset's manifest did not change")
        #expect(review.objects.first { $0.kind == .dataContract }?.diff?.contains("+          maximum: 22\n") == true)
        #expect(review.summary == "3 objects change: 2 blocked (DataInvalid), 1 breaking")

        let small = try await plan(repository, "--base", "main", "--head", "narrow", "--max-data-bytes", "1000")
        #expect(small.status == 1)
        #expect(small.stdout.contains("3 objects change: 2 not predicted, 1 breaking\n"), "\(small.stdout)")
        #expect(small.stdout.contains("  ⇒ not predicted: data/transactions.csv is \(try #require(files["data/transactions.csv"]).utf8.count) bytes, more than --max-data-bytes 1000;"),
                "data too large is said, never guessed: \(small.stdout)")
    }

    @Test("a data change is labelled data changed and passes; a contract the data meets keeps the retraining story")
    func quickstartPassing() async throws {
        let (files, _) = try Self.quickstart(hoursAbove: 23)
        let repository = try GitFixture()
        try repository.commit("quickstart", files: files)
        try repository.git("checkout", "-q", "-b", "more-data")
        let data = try #require(files["data/transactions.csv"])
        try repository.commit("one more row", files: ["data/transactions.csv": data + "tx-999999,12.00,3,0.100,400,eu,false\n"])
        let run = try await plan(repository, "--base", "main", "--head", "more-data")
        #expect(run.status == 1)
        #expect(run.stdout.contains("2 objects change: 1 retrain, 1 dataset passes\n"), "\(run.stdout)")
        #expect(run.stdout.contains("Dataset/transactions  data changed  datasets/transactions.yaml\n  ⇒ will pass: 2401 rows meet contract transactions 1.0.0"))
        #expect(run.stdout.contains("Model/fraud-detector  data changed  models/fraud-detector.yaml"))
        #expect(run.stdout.contains("  ⇒ retrains a new version: dataset content changed\n  → canary by canary-10-50"), "\(run.stdout)")

        try repository.commit("a wider hour", files: [
            "contracts/transactions.odcs.yaml": try #require(files["contracts/transactions.odcs.yaml"]).replacingOccurrences(of: "maximum: 23", with: "maximum: 24"),
        ])
        let both = try await plan(repository, "--base", "main", "--head", "more-data")
        #expect(both.stdout.contains("Dataset/transactions  data and contract changed  datasets/transactions.yaml"), "\(both.stdout)")
        let contractOnly = try await plan(repository, "--base", "more-data~1", "--head", "more-data")
        #expect(contractOnly.stdout.contains("Dataset/transactions  contract changed  datasets/transactions.yaml"), "\(contractOnly.stdout)")
    }

    @Test("without --base, after the quickstart was reconciled: what serves now, and the narrowed hour blocked against the store")
    func quickstartAgainstState() async throws {
        let (files, rows) = try Self.quickstart(hoursAbove: 22)
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let reconciled = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", setup.repository.path, "--state-dir", setup.state.path,
                                                        "--gateway", "127.0.0.1:\(setup.gatewayPort)"])
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        try setup.repository.commit("hour ≤ 22", files: [
            "contracts/transactions.odcs.yaml": try #require(files["contracts/transactions.odcs.yaml"]).replacingOccurrences(of: "maximum: 23", with: "maximum: 22"),
        ])
        let run = try await plan(setup.repository, "--state-dir", setup.state.path)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("""
            Model/fraud-detector  contract changed  models/fraud-detector.yaml
              serving now: v1 (r1) 100%
              ⇒ will not retrain: dataset transactions is DataInvalid at head
            """), "\(run.stdout)")
        #expect(run.stdout.contains("  ⇒ will be blocked: DataInvalid, \(rows) rows break hour ≤ 22\n"))
    }
}
