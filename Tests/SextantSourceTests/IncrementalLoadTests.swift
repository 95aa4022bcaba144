import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantGit
import SextantSource
import SextantTestSupport

/// A commit loaded from the last one (tree diff, changed files only) is the commit loaded
/// from scratch: same manifests, same problems, same files.
@Suite struct IncrementalLoadTests {
    /// One step of the history: the files it writes and removes, and what must hold after.
    struct Step: Sendable {
        var name: String
        var files: [String: String] = [:]
        var removing: [String] = []
        /// Whether the load may reuse the previous commit's manifests (no symlink, same ignore file).
        var incremental = true
        /// Diagnostics the commit must have (substrings), so each step tests what it says.
        var expecting: [String] = []
    }

    static let steps: [Step] = [
        Step(name: "a contract edited", files: ["ml/contracts/c0.yaml": contract(0, rows: 5)]),
        Step(name: "a group of five added", files: group(3)),
        Step(name: "a model deleted: its SLO's service dangles", removing: ["ml/models/m1.yaml"],
             expecting: [#"spec.service: no Model "m1""#]),
        Step(name: "the model back", files: ["ml/models/m1.yaml": model(1)]),
        Step(name: "a dataset renamed (moved to another folder)", files: ["ml/datasets/moved/d2.yaml": dataset(2)],
             removing: ["ml/datasets/d2.yaml"]),
        Step(name: "a contract that no longer parses", files: ["ml/contracts/c1.yaml": "apiVersion: [v3.1.0\n"],
             expecting: ["ml/contracts/c1.yaml:"]),
        Step(name: "the contract fixed", files: ["ml/contracts/c1.yaml": contract(1, rows: 1)]),
        Step(name: "a dataset reads a file not in the commit", files: ["ml/datasets/d0.yaml": dataset(0, path: "data/new.csv")],
             expecting: ["no file data/new.csv under the watched root"]),
        Step(name: "the data file added (no manifest changed)", files: ["ml/data/new.csv": "id\n1\n"]),
        Step(name: "a contract renamed: its dataset's reference dangles, with a suggestion",
             files: ["ml/contracts/c2.yaml": contract(2, rows: 1).replacingOccurrences(of: "name: c2", with: "name: c2x")
                .replacingOccurrences(of: "urn:datacontract:c2", with: "urn:datacontract:c2x")],
             expecting: [#"spec.contract: no DataContract with id or name "c2"; did you mean"#]),
        Step(name: "the contract named back", files: ["ml/contracts/c2.yaml": contract(2, rows: 1)]),
        Step(name: "a second model named m0", files: ["ml/extra/m0.yaml": model(0)], expecting: [#"duplicate Model name "m0""#]),
        Step(name: "the duplicate ignored by .sextantignore", files: ["ml/.sextantignore": "extra/\n"], incremental: false),
        Step(name: "a file outside the watched root", files: ["README.md": "about\n"]),
        Step(name: "a symlink under the root", files: ["ml/data/link.csv": "new.csv"], incremental: false),
        Step(name: "the symlink removed", removing: ["ml/data/link.csv"], incremental: false),
        Step(name: "two groups removed at once", removing: group(3).keys.sorted() + group(2).keys.sorted().filter { !$0.contains("datasets") }
            + ["ml/datasets/moved/d2.yaml"]),
    ]

    @Test("each commit of a history loads from the one before exactly as from scratch")
    func history() throws {
        let fixture = try GitFixture()
        var base = ["ml/data/shared.csv": "id\n1\n"]
        for index in 0..<3 { base.merge(Self.group(index)) { $1 } }
        var previous = try GitRepository(path: fixture.path).loadCommit(try fixture.commit("base", files: base), root: "ml", after: nil)
        #expect(previous.loaded.result.isValid, "\(previous.loaded.result.diagnostics)")
        for step in Self.steps {
            if let target = step.files["ml/data/link.csv"] {
                try fixture.directory.symlink("ml/data/link.csv", to: target)
            }
            let commit = try fixture.commit(step.name, files: step.files.filter { $0.key != "ml/data/link.csv" }, removing: step.removing)
            let repository = try GitRepository(path: fixture.path)
            let incremental = try repository.loadCommit(commit, root: "ml", after: previous)
            let full = try repository.loadCommit(commit, root: "ml")
            let got = incremental.loaded.result, want = full.result
            #expect(got.diagnostics.map(\.description) == want.diagnostics.map(\.description), "\(step.name)")
            #expect(Self.describe(got.manifests) == Self.describe(want.manifests), "\(step.name)")
            #expect(got.fileCount == want.fileCount, "\(step.name)")
            #expect(incremental.loaded.blobs == full.blobs, "\(step.name)")
            for expected in step.expecting {
                #expect(got.diagnostics.contains { $0.description.contains(expected) }, "\(step.name): \(expected) in \(got.diagnostics)")
            }
            // Reused, not parsed again: an unchanged file's manifest is the same object.
            let unchanged = previous.loaded.result.manifests.all.first { loaded in
                !step.files.keys.contains { $0.hasSuffix(loaded.file) } && !step.removing.contains { $0.hasSuffix(loaded.file) }
            }
            if step.incremental, let unchanged {
                #expect(got.manifests.all.contains { $0 === unchanged }, "\(step.name): \(unchanged.file) was parsed again")
            }
            previous = incremental
        }
    }

    /// Everything a set answers: its order and each lookup by name.
    static func describe(_ set: ManifestSet) -> [String] {
        set.all.map { loaded in
            let found = set.manifest(loaded.kind, named: loaded.name).map { "\($0.file)" } ?? "-"
            return "\(loaded.kind)/\(loaded.name) in \(loaded.file), found in \(found)"
        } + set.datasets.map { "dataset \($0.metadata.name): contract \(set.contract(named: $0.spec.contract)?.id ?? "-")" }
    }

    static func group(_ index: Int) -> [String: String] {
        ["ml/contracts/c\(index).yaml": contract(index, rows: 1), "ml/datasets/d\(index).yaml": dataset(index),
         "ml/models/m\(index).yaml": model(index), "ml/slos/s\(index).yaml": slo(index), "ml/rollouts/p\(index).yaml": rollout(index)]
    }

    static func contract(_ index: Int, rows: Int) -> String {
        """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:c\(index)
        version: 1.0.0
        status: active
        name: c\(index)
        schema:
          - name: t\(index)
            quality: [{metric: rowCount, mustBeGreaterThan: \(rows)}]
            properties:
              - {name: id, logicalType: string, primaryKey: true}
              - {name: amount, logicalType: number}
              - {name: label, logicalType: boolean, required: true}
        """
    }

    static func dataset(_ index: Int, path: String = "data/shared.csv") -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: d\(index)}
        spec: {source: {path: \(path), format: csv}, contract: c\(index), table: t\(index)}
        """
    }

    static func model(_ index: Int) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: Model
        metadata: {name: m\(index)}
        spec:
          task: binary-classification
          dataset: d\(index)
          target: label
          features: [amount]
          training: {trainer: logistic-regression}
          serving: {runtime: builtin, slos: [s\(index)], rollout: p\(index)}
        """
    }

    static func slo(_ index: Int) -> String {
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: s\(index)}
        spec:
          service: m\(index)
          indicator:
            metadata: {name: s\(index)}
            spec: {thresholdMetric: {metricSource: {type: sextant, spec: {metric: latency}}}}
          timeWindow: [{duration: 5m, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{displayName: p99, op: lte, value: 50, target: 0.99}]
        """
    }

    static func rollout(_ index: Int) -> String {
        """
        apiVersion: sextant.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: p\(index)}
        spec:
          strategy: canary
          steps: [{setWeight: 10}, {pause: {duration: 30s}}]
          analysis: {interval: 5s, minSamples: 50, slos: [s\(index)]}
        """
    }
}
