import Foundation
import SextantCore

/// Resource use as `get` and `history` print it.
enum ResourceText {
    /// `12.34 s`, with the cost of predictions when there were any: `12.34 s (0.0520 s/1k)`.
    static func cpu(_ status: ResourceStatus) -> String {
        seconds(status.cpuSeconds) + (status.cpuSecondsPer1000Predictions.map { " (\(String(format: "%.4f", $0)) s/1k)" } ?? "")
    }

    /// `0.42 s`.
    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }

    /// `812 KiB`, `48.2 MiB`, `1.3 GiB`.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 || amount >= 100 ? "\(Int(amount.rounded())) \(units[unit])" : String(format: "%.1f %@", amount, units[unit])
    }
}
