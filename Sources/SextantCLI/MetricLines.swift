import Foundation
import SextantML

/// How `train` and `metrics` print metrics: one padded line each (`n/a` when undefined),
/// or a JSON object by name (null when undefined).
enum MetricLines {
    static func text(_ metrics: [MetricValue]) -> [String] {
        let width = metrics.map(\.name.rawValue.count).max() ?? 0
        return metrics.map { metric in
            "  " + metric.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + (metric.value.map { String(format: "%.6f", $0) } ?? "n/a")
        }
    }

    static func json(_ metrics: [MetricValue]) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: metrics.map { ($0.name.rawValue, $0.value) })
    }
}
