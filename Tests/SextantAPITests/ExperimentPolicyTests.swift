import Foundation
import Testing
import SextantAPI
import SextantTestSupport

/// `strategy: experiment`'s manifest (DESIGN §10): what it reads, and each mistake as a
/// diagnostic with its file, line and column.
@Suite struct ExperimentPolicyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// The policy's `spec:` lines.
        var spec: String
        /// Diagnostics as `policy.yaml:LINE:COL: PATH: message`.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "the design's example", spec: """
              strategy: experiment
              experiment:
                split: 50
                unit: {header: X-User-Id}
                kpi: {name: converted, kind: proportion, direction: increase}
                minSamples: 500
                maxDuration: 7d
                alpha: 0.05
                sequential: true
                decision: promoteWinner
            """, expected: []),
        Case(name: "only the KPI: every other field has a default", spec: """
              strategy: experiment
              experiment: {kpi: {name: revenue, kind: mean}}
            """, expected: []),
        Case(name: "an experiment strategy without its experiment", spec: """
              strategy: experiment
            """, expected: [
                "policy.yaml:5:3: spec: an experiment needs `experiment: {kpi: {name: converted, kind: proportion}}` naming the KPI it compares",
            ]),
        Case(name: "experiment settings under another strategy", spec: """
              strategy: canary
              steps: [{setWeight: 10}]
              experiment: {kpi: {name: converted, kind: proportion}}
            """, expected: [
                "policy.yaml:7:3: spec.experiment: experiment applies only to strategy: experiment",
            ]),
        Case(name: "steps with an experiment", spec: """
              strategy: experiment
              steps: [{setWeight: 10}]
              experiment: {kpi: {name: converted, kind: proportion}}
            """, expected: [
                "policy.yaml:6:3: spec.steps: steps apply to canary and shadow strategies, not experiment",
            ]),
        Case(name: "every field out of range", spec: """
              strategy: experiment
              experiment:
                split: 100
                unit: {header: "X User"}
                kpi: {name: "", kind: mean}
                minSamples: 1
                maxDuration: 0s
                alpha: 0.5
            """, expected: [
                "policy.yaml:7:12: spec.experiment.split: split is the candidate's percent of units: 1 to 99, not 100",
                "policy.yaml:8:20: spec.experiment.unit.header: \"X User\" is not a valid HTTP header name",
                "policy.yaml:9:17: spec.experiment.kpi.name: a KPI name is the key feedback sends in `kpi`, like converted: not empty, no spaces",
                "policy.yaml:10:17: spec.experiment.minSamples: minSamples must be at least 2 (a standard deviation needs two values per arm)",
                "policy.yaml:11:18: spec.experiment.maxDuration: duration must be longer than 0",
                "policy.yaml:12:12: spec.experiment.alpha: alpha is the false-positive rate: above 0 and below 0.5, like 0.05",
            ]),
        Case(name: "a KPI kind that is not proportion or mean", spec: """
              strategy: experiment
              experiment: {kpi: {name: converted, kind: ratio}}
            """, expected: [
                "policy.yaml:6:45: spec.experiment.kpi.kind: \"ratio\" is not one of proportion | mean",
            ]),
        Case(name: "a decision that is not promoteWinner or report", spec: """
              strategy: experiment
              experiment: {kpi: {name: converted, kind: proportion}, decision: ship}
            """, expected: [
                "policy.yaml:6:68: spec.experiment.decision: \"ship\" is not one of promoteWinner | report",
            ]),
    ]

    @Test("each experiment spec yields exactly its diagnostics", arguments: cases)
    func diagnostics(_ testCase: Case) throws {
        let directory = try TemporaryDirectory()
        try directory.write("policy.yaml", """
            apiVersion: sextant.dev/v1alpha1
            kind: RolloutPolicy
            metadata: {name: ab}
            spec:

            """ + testCase.spec + "\n")
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        #expect(result.diagnostics.map { $0.description.replacingOccurrences(of: directory.path + "/", with: "") } == testCase.expected)
    }

    @Test("the design's example reads into its values; an absent field stays nil for the defaults to fill")
    func reading() throws {
        let directory = try TemporaryDirectory()
        try directory.write("policy.yaml", """
            apiVersion: sextant.dev/v1alpha1
            kind: RolloutPolicy
            metadata: {name: ab}
            spec:
              strategy: experiment
              experiment:
                split: 20
                unit: {header: X-User-Id}
                kpi: {name: converted, kind: proportion, direction: decrease}
                minSamples: 500
                maxDuration: 7d
                alpha: 0.1
                sequential: false
                decision: report

            """)
        let result = try ManifestLoader().load(DirectorySource(root: directory.path))
        let experiment = try #require(result.manifests.rolloutPolicy(named: "ab")?.spec.experiment)
        #expect(experiment.split == 20)
        #expect(experiment.unit?.header == "X-User-Id")
        #expect(experiment.kpi.name == "converted" && experiment.kpi.kind == .proportion && experiment.kpi.direction == .decrease)
        #expect(experiment.minSamples == 500)
        #expect(experiment.maxDuration?.seconds == Double(7 * 86_400))
        #expect(experiment.alpha == 0.1)
        #expect(experiment.sequential == false)
        #expect(experiment.decision == .report)
        try directory.write("policy.yaml", "apiVersion: sextant.dev/v1alpha1\nkind: RolloutPolicy\nmetadata: {name: ab}\nspec:\n  strategy: experiment\n"
                                + "  experiment: {kpi: {name: revenue, kind: mean}}\n")
        let bare = try #require(try ManifestLoader().load(DirectorySource(root: directory.path)).manifests.rolloutPolicy(named: "ab")?.spec.experiment)
        #expect(bare.split == nil && bare.unit == nil && bare.minSamples == nil && bare.maxDuration == nil && bare.alpha == nil && bare.decision == nil)
        #expect(bare.kpi.direction == nil)
    }
}
