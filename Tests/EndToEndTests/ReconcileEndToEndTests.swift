import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// `reconcile --once` and `status` run as built, against repositories made with `git`.
@Suite struct ReconcileEndToEndTests {
    static let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:tx
        version: 1.0.0
        status: active
        name: tx
        schema:
          - name: tx
            quality: [{metric: rowCount, mustBeGreaterOrEqualTo: 3}]
            properties:
              - {name: id, logicalType: string, required: true, unique: true}
              - {name: amount, logicalType: number, required: true, logicalTypeOptions: {minimum: 0}}
              - name: region
                logicalType: string
                quality: [{metric: invalidValues, arguments: {validValues: [eu, us]}, mustBe: 0}]
              - {name: label, logicalType: boolean, required: true}

        """

    static func dataset(_ name: String = "tx", path: String = "data/tx.csv", contract: String = "tx") -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: \(name)}
        spec:
          source: {path: \(path), format: csv}
          contract: \(contract)

        """
    }

    static let model = """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: fraud}
        spec:
          task: binary-classification
          dataset: tx
          target: label
          features: [amount]
          training: {trainer: logistic-regression}

        """

    static let goodData = "id,amount,region,label\na,1.5,eu,true\nb,0,us,false\nc,7,eu,false\n"

    static let files: [String: String] = [
        "contracts/tx.yaml": contract,
        "datasets/tx.yaml": dataset(),
        "data/tx.csv": goodData,
    ]

    /// A repository, a state directory, and the commands against them.
    final class Setup: Sendable {
        let repository: GitFixture
        let state: TemporaryDirectory
        let gatewayPort: Int

        init(_ files: [String: String] = ReconcileEndToEndTests.files) async throws {
            gatewayPort = try freePort()
            repository = try GitFixture()
            state = try TemporaryDirectory("sextant-state")
            try repository.commit("first", files: files)
        }

        deinit {
            // No model server outlives a test.
            _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path])
        }

        func reconcile(_ extra: String...) async throws -> ProcessOutput {
            try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path, "-o", "json",
                                            "--gateway", "127.0.0.1:\(gatewayPort)"] + extra,
                           environment: ["PATH": "/usr/bin:/bin"])
        }

        func status(_ extra: String...) async throws -> ProcessOutput {
            try await runProcess(sextantBinary, ["status", "--state-dir", state.path] + extra, environment: ["PATH": "/usr/bin:/bin"])
        }

        func document(_ output: ProcessOutput) throws -> StatusDocument {
            try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(output.stdout.utf8))
        }

        var store: SQLiteStore { get throws { try SQLiteStore(readingFrom: state.path) } }

        func object(_ document: StatusDocument, _ kind: String, _ name: String) -> ObjectStatus? {
            document.objects.first { $0.kind.rawValue == kind && $0.name == name }
        }
    }

    @Test("a clean commit: applied, data checked against the contract, journaled, exit 0")
    func cleanCommit() async throws {
        let setup = try await Setup()
        let head = try setup.repository.git("rev-parse", "HEAD")
        let run = try await setup.reconcile()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let document = try setup.document(run)
        #expect(document.revision.commit == head)
        #expect(document.revision.appliedCommit == head)
        #expect(document.revision.branch == "main")
        #expect(document.comparisonError == nil)
        let dataset = try #require(setup.object(document, "Dataset", "tx"))
        #expect(dataset.sync == .synced)
        #expect(dataset.health == .healthy)
        #expect(dataset.phase == .validated)
        #expect(dataset.message == "contract tx 1.0.0: 11 checks passed on 3 rows")
        let sha = try await runProcess("/usr/bin/sha256sum", [setup.repository.path + "/data/tx.csv"]).stdout.prefix(64)
        #expect(dataset.dataset?.sha256 == String(sha))
        #expect(document.objects.map(\.kind.rawValue) == ["Dataset", "DataContract"])

        let store = try setup.store
        #expect(try store.events().map(\.reason) == [.commitApplied, .datasetValidated])
        let journal = try store.journal()
        #expect(journal.map(\.action) == ["CheckDataset"])
        #expect(journal.allSatisfy { $0.state == "succeeded" })

        // A second run finds nothing to do: no action, no event.
        let again = try await setup.reconcile()
        #expect(again.status == 0)
        #expect(try store.journal().count == 1)
        #expect(try store.events().count == 2)
    }

    @Test("a second commit: new data is checked again; a commit that leaves data alone is not")
    func secondCommit() async throws {
        let setup = try await Setup()
        _ = try await setup.reconcile()
        try setup.repository.commit("readme only", files: ["README.md": "hello\n"])
        #expect(try await setup.reconcile().status == 0)
        #expect(try setup.store.journal().count == 1)
        let newData = try setup.repository.commit("more data", files: ["data/tx.csv": Self.goodData + "d,3,us,true\n"])
        let run = try await setup.reconcile()
        let document = try setup.document(run)
        #expect(document.revision.appliedCommit == newData)
        #expect(setup.object(document, "Dataset", "tx")?.message == "contract tx 1.0.0: 11 checks passed on 4 rows")
        #expect(try setup.store.journal().count == 2)
    }

    @Test("a broken commit is not applied: the last good one stays, status names file:line, exit 1")
    func brokenCommit() async throws {
        let setup = try await Setup()
        let good = try setup.repository.git("rev-parse", "HEAD")
        _ = try await setup.reconcile()
        let broken = try setup.repository.commit("typo", files: ["datasets/tx.yaml": Self.dataset().replacingOccurrences(of: "contract: tx", with: "contrct: tx")])
        let run = try await setup.reconcile()
        #expect(run.status == 1)
        let document = try setup.document(run)
        #expect(document.revision.commit == broken)
        #expect(document.revision.appliedCommit == good)
        let error = try #require(document.comparisonError)
        #expect(error.commit == broken)
        #expect(error.reason == "InvalidManifests")
        #expect(error.message == "datasets/tx.yaml:4:1: spec.contract: required field \"contract\" is missing (and 1 more)")
        #expect(error.diagnostics.contains("datasets/tx.yaml:6:3: spec.contrct: unknown field \"contrct\"; did you mean \"contract\"?"), "\(error.diagnostics)")
        let dataset = try #require(setup.object(document, "Dataset", "tx"))
        #expect(dataset.sync == .unknown)
        #expect(dataset.phase == .validated)
        #expect(dataset.conditions.first?.type == "ComparisonError")
        #expect(try setup.store.events().map(\.reason) == [.commitApplied, .datasetValidated, .commitRejected])

        let table = try await setup.status()
        #expect(table.stdout.contains("not applied: \(broken.prefix(7)) (InvalidManifests)"))
        #expect(table.stdout.contains("  datasets/tx.yaml:6:3: spec.contrct"))

        // Fixing it applies the fix.
        let fixed = try setup.repository.commit("fix", files: ["datasets/tx.yaml": Self.dataset()])
        let after = try setup.document(try await setup.reconcile())
        #expect(after.revision.appliedCommit == fixed)
        #expect(after.comparisonError == nil)
    }

    /// One dataset per way data can break its contract, all in one commit.
    static let violations: [(name: String, csv: String, expected: String)] = [
        ("type", "id,amount,region,label\na,x,eu,true\nb,1,us,false\nc,2,eu,true\n", "tx.amount: logicalType number = 1 row, must be 0 (first at line 2: \"x\")"),
        ("required", "id,amount,region,label\na,,eu,true\nb,1,us,false\nc,2,eu,true\n", "tx.amount: required = 1 row, must be 0 (first at line 2)"),
        ("unique", "id,amount,region,label\na,1,eu,true\na,1,us,false\nc,2,eu,true\n", "tx.id: unique = 1 row, must be 0 (first at line 3: \"a\")"),
        ("range", "id,amount,region,label\na,-3,eu,true\nb,1,us,false\nc,2,eu,true\n", "tx.amount: minimum 0 = 1 row, must be 0 (first at line 2: \"-3\")"),
        ("valid-values", "id,amount,region,label\na,1,mars,true\nb,1,us,false\nc,2,eu,true\n", "tx.region: invalidValues = 1 row, must be 0 (first at line 2: \"mars\")"),
        ("row-count", "id,amount,region,label\na,1,eu,true\n", "tx: rowCount = 1 row, must be at least 3"),
        ("malformed", "id,amount,region,label\na,1,eu,true\nb,1,us\n", "data/malformed.csv:3: expected 4 fields as in the header, found 3"),
        ("missing-column", "id,amount,label\na,1,true\nb,1,false\nc,2,true\n", "tx.region: no such column in the data; its header has id, amount, label"),
    ]

    @Test("data that breaks its contract: DataInvalid with every violation, a Stalled condition, exit 1")
    func contractViolations() async throws {
        var files = ["contracts/tx.yaml": Self.contract]
        for violation in Self.violations {
            files["datasets/\(violation.name).yaml"] = Self.dataset(violation.name, path: "data/\(violation.name).csv")
            files["data/\(violation.name).csv"] = violation.csv
        }
        let setup = try await Setup(files)
        let run = try await setup.reconcile()
        #expect(run.status == 1, "\(run.stderr)")
        let document = try setup.document(run)
        for violation in Self.violations {
            let object = try #require(setup.object(document, "Dataset", violation.name))
            #expect(object.phase == .dataInvalid, "\(violation.name)")
            #expect(object.health == .degraded)
            #expect(object.sync == .synced)
            #expect(object.dataset?.violations == [violation.expected], "\(violation.name)")
            #expect(object.conditions.map(\.type) == ["Stalled"])
        }
        #expect(try await setup.status().status == 1, "status exits 1 when anything is Degraded")
        #expect(try setup.store.events().filter { $0.reason == .dataInvalid }.count == Self.violations.count)
    }

    @Test("contract verdicts match datacontract-cli's, recorded on the corpus in scripts/contract-cases")
    func datacontractVerdicts() async throws {
        let run = try await runProcess("/bin/bash", ["\(packageRoot)/scripts/compare-contract-verdicts.sh"], in: packageRoot, environment: [
            "PATH": "/usr/bin:/bin", "SEXTANT_ONLY": "1", "SEXTANT_BIN": sextantBinary,
            "SEXTANT_CHECK": "\(packageRoot)/scripts/sextant-check-contract",
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("contract-verdicts: 33 passed, 0 failed\n"), "\(run.stdout)")
    }

    @Test("a sha256 pin that does not match the data is a violation that names both hashes")
    func pinMismatch() async throws {
        var files = Self.files
        files["datasets/tx.yaml"] = Self.dataset() + "  sha256: \(String(repeating: "0", count: 64))\n"
        let setup = try await Setup(files)
        let document = try setup.document(try await setup.reconcile())
        let violations = setup.object(document, "Dataset", "tx")?.dataset?.violations ?? []
        #expect(violations.count == 1)
        #expect(violations.first?.hasPrefix("sha256: the data hashes to ") == true)
        #expect(violations.first?.contains("the manifest pins 0000") == true)
    }

    @Test("a Git LFS pointer is refused with a message that says so")
    func lfsPointer() async throws {
        var files = Self.files
        files["data/tx.csv"] = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n"
        let setup = try await Setup(files)
        let run = try await setup.reconcile()
        #expect(run.status == 1)
        let error = try #require(try setup.document(run).comparisonError)
        #expect(error.message.contains("is a Git LFS pointer, not data"), "\(error.message)")
    }

    @Test("an object removed from Git is pruned; with --prune=false it stays, OutOfSync")
    func pruning() async throws {
        var files = Self.files
        files["datasets/other.yaml"] = Self.dataset("other")
        let setup = try await Setup(files)
        _ = try await setup.reconcile()
        try setup.repository.commit("drop other", removing: ["datasets/other.yaml"])
        let kept = try setup.document(try await setup.reconcile("--prune=false"))
        #expect(setup.object(kept, "Dataset", "other")?.sync == .outOfSync)
        #expect(setup.object(kept, "Dataset", "other")?.message == "removed from Git; kept because --prune=false")
        let pruned = try setup.document(try await setup.reconcile())
        #expect(setup.object(pruned, "Dataset", "other") == nil)
        #expect(setup.object(pruned, "Dataset", "tx")?.phase == .validated)
        #expect(try setup.store.events().last?.reason == .pruned)
        #expect(try setup.store.journal().last?.action == "Prune")
    }

    @Test("a commit that removes every model is refused unless --allow-empty")
    func removeEverything() async throws {
        var files = Self.files
        files["models/fraud.yaml"] = Self.model
        let setup = try await Setup(files)
        let first = try await setup.reconcile()
        #expect(first.status == 1, "three rows leave one class out of training: \(first.stdout)\(first.stderr)")
        let model = try #require(setup.object(try setup.document(first), "Model", "fraud"))
        #expect(model.health == .missing)
        #expect(model.phase == .trainingFailed)
        #expect(model.message.contains("logistic-regression needs exactly 2 classes in the training rows of label; found 1"), "\(model.message)")
        #expect(model.model?.traffic == [])
        let empty = try setup.repository.commit("remove everything", removing: ["models/fraud.yaml", "datasets/tx.yaml", "contracts/tx.yaml", "data/tx.csv"])
        let refused = try await setup.reconcile()
        #expect(refused.status == 1)
        let error = try #require(try setup.document(refused).comparisonError)
        #expect(error.reason == "PruneRefused")
        #expect(error.message == "it removes every Model (fraud); if that is intended, run with --allow-empty")
        let allowed = try await setup.reconcile("--allow-empty")
        #expect(allowed.status == 0)
        let document = try setup.document(allowed)
        #expect(document.revision.appliedCommit == empty)
        #expect(document.objects.isEmpty)
    }

    @Test("file:// URLs, and --path for the watched root")
    func fileURLAndPath() async throws {
        var files: [String: String] = [:]
        for (path, content) in Self.files { files["deploy/ml/" + path] = content }
        let setup = try await Setup(files)
        let run = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", "file://" + setup.repository.path, "--gateway", "127.0.0.1:\(setup.gatewayPort)", "--path", "deploy/ml",
                                                 "--state-dir", setup.state.path, "-o", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(setup.object(try setup.document(run), "Dataset", "tx")?.phase == .validated)
        let wrong = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", "file://" + setup.repository.path, "--gateway", "127.0.0.1:\(setup.gatewayPort)", "--path", "nowhere",
                                                   "--state-dir", try TemporaryDirectory().path])
        #expect(wrong.status == 1)
    }

    @Test("a uri: file under --data-root is hashed every pass: a change is noticed; outside it is refused")
    func localDataFile() async throws {
        let data = try TemporaryDirectory("sextant-data")
        let file = try data.write("tx.csv", Self.goodData)
        var files = Self.files
        files["datasets/tx.yaml"] = Self.dataset().replacingOccurrences(of: "path: data/tx.csv", with: "uri: file://\(file)")
        let setup = try await Setup(files)
        let first = try setup.document(try await setup.reconcile("--data-root", data.path))
        #expect(setup.object(first, "Dataset", "tx")?.phase == .validated)
        try data.write("tx.csv", Self.goodData + "z,-1,eu,true\n")
        let changed = try await setup.reconcile("--data-root", data.path)
        #expect(changed.status == 1)
        #expect(setup.object(try setup.document(changed), "Dataset", "tx")?.dataset?.violations == ["tx.amount: minimum 0 = 1 row, must be 0 (first at line 5: \"-1\")"])
        let outside = try setup.document(try await setup.reconcile())
        #expect(setup.object(outside, "Dataset", "tx")?.dataset?.violations.first?.contains("no --data-root allows it") == true)
    }

    @Test("status: table, one object, JSON and YAML")
    func statusForms() async throws {
        let setup = try await Setup()
        _ = try await setup.reconcile()
        let table = try await setup.status()
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("main @ "))
        #expect(lines[2].split(separator: " ").map(String.init) == ["KIND", "NAME", "SYNC", "HEALTH", "PHASE", "VERSION", "TRAFFIC", "MESSAGE", "AGE"])
        #expect(lines[3].hasPrefix("Dataset       tx    Synced  Healthy  Validated  -        -        contract tx 1.0.0"))
        let one = try setup.document(try await setup.status("Dataset/tx", "-o", "json"))
        #expect(one.objects.map(\.kind.rawValue) == ["Dataset"])
        let yaml = try await setup.status("tx", "-o", "yaml")
        #expect(yaml.stdout.contains("objects:\n- conditions: []\n"), "\(yaml.stdout)")
        let missing = try await setup.status("nothing")
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no object named \"nothing\"; `sextant status` lists them all\n")
    }

    @Test("a second process on the same state directory fails clearly; an unreachable source exits 2")
    func lockAndUnreachable() async throws {
        let setup = try await Setup()
        let lock = try StateDirectoryLock(directory: setup.state.path, command: "test holder")
        let run = try await setup.reconcile()
        #expect(run.status == 2)
        #expect(run.stderr.contains("state directory \(setup.state.path) is in use by another sextant process (pid \(getpid()): test holder)"), "\(run.stderr)")
        withExtendedLifetime(lock) {}

        let state = try TemporaryDirectory()
        let unreachable = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", "file:///nonexistent/repo", "--state-dir", state.path])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("error: cannot fetch file:///nonexistent/repo (branch main) and no commit was applied before"), "\(unreachable.stderr)")
        let fresh = try TemporaryDirectory()
        let missing = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", "/nonexistent/repo", "--state-dir", fresh.path])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: --repo /nonexistent/repo: no such directory\n", "a missing path is said before libgit2: \(missing.stderr)")
        let usage = try await runProcess(sextantBinary, ["reconcile", "--repo", "."])
        #expect(usage.status == 2)
    }
}
