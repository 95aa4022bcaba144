import Foundation
import Testing
@testable import SextantML

/// Drift statistics against SciPy and Evidently 0.7.23: samples and reference values made by
/// scripts/golden/make-drift-golden.py (Golden/drift-statistics.json).
@Suite struct DriftGoldenTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var note: String
        var type: ColumnType
        var kind: FeatureKind
        var reference: DriftValues
        var current: DriftValues
        var statistics: [String: Double?]
        var auto: Verdict

        var testDescription: String { "\(name) (\(note))" }

        enum CodingKeys: String, CodingKey {
            case name, note, type, kind, reference, current, statistics, auto
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            note = try container.decode(String.self, forKey: .note)
            type = try #require(ColumnType(rawValue: try container.decode(String.self, forKey: .type)))
            kind = try container.decode(FeatureKind.self, forKey: .kind)
            if type == .number || type == .integer {
                reference = .numbers(try container.decode([Double?].self, forKey: .reference))
                current = .numbers(try container.decode([Double?].self, forKey: .current))
            } else {
                reference = .categories(try container.decode([String?].self, forKey: .reference))
                current = .categories(try container.decode([String?].self, forKey: .current))
            }
            statistics = try container.decode([String: Double?].self, forKey: .statistics)
            auto = try container.decode(Verdict.self, forKey: .auto)
        }

        var column: DriftColumn {
            DriftColumn(name: name, type: type, reference: reference, current: current)
        }
    }

    struct Verdict: Decodable {
        var method: DriftTest
        var statistic: Double
        var threshold: Double
        var drifted: Bool
    }

    struct File: Decodable {
        var cases: [Case]
    }

    static let cases: [Case] = {
        do {
            return try Golden.load("drift-statistics.json", as: File.self).cases
        } catch {
            Issue.record("Golden/drift-statistics.json: \(error)")
            return []
        }
    }()

    /// p-values to relative 1e-6 (absolute 1e-12 for the z-test's 1 − Φ(|z|), which SciPy
    /// computes by subtraction, losing relative precision near 0); distances to relative 1e-9.
    static func matches(_ actual: Double, _ expected: Double, method: DriftTest) -> Bool {
        if method.isPValue {
            return abs(actual - expected) <= max(1e-6 * abs(expected), method == .zTest ? 1e-12 : 1e-300)
        }
        return abs(actual - expected) <= 1e-9 * max(1, abs(expected))
    }

    @Test("the golden file covers every method and both KS distributions")
    func coverage() {
        #expect(Self.cases.count >= 25)
        #expect(Set(Self.cases.map(\.auto.method)) == Set(DriftTest.allCases).subtracting([.psi]))
        #expect(Self.cases.contains { $0.name.hasPrefix("ks-asymptotic") })
    }

    @Test("each statistic matches SciPy", arguments: cases)
    func statistics(_ item: Case) {
        for (name, expected) in item.statistics {
            guard let method = DriftTest(rawValue: name) else {
                Issue.record("unknown method \(name)")
                continue
            }
            let verdict = DriftAnalysis.feature(item.column, options: DriftOptions(method: method))
            #expect(verdict.method == method)
            guard let expected else {
                // SciPy's NaN (chi-square over a single category): no evidence, p = 1.
                #expect(verdict.statistic == 1, "\(name)")
                continue
            }
            #expect(Self.matches(verdict.statistic, expected, method: method), "\(name): \(verdict.statistic) vs SciPy \(expected)")
        }
    }

    @Test("method auto picks Evidently's test and reaches its verdict", arguments: cases)
    func auto(_ item: Case) {
        let verdict = DriftAnalysis.feature(item.column, options: DriftOptions())
        #expect(verdict.kind == item.kind)
        #expect(verdict.method == item.auto.method)
        #expect(verdict.threshold == item.auto.threshold)
        #expect(Self.matches(verdict.statistic, item.auto.statistic, method: verdict.method), "\(verdict.statistic) vs Evidently \(item.auto.statistic)")
        #expect(verdict.drifted == item.auto.drifted)
    }
}
