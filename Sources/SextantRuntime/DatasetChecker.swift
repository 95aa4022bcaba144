import Foundation
package import SextantCore
import SextantAPI
import SextantML

/// A dataset's bytes against its pin and contract: what the reconciler records, and what
/// `sextant plan` predicts it will record.
package enum DatasetChecker {
    static func check(_ check: DatasetCheck, bytes: [UInt8], now: Date) -> DatasetResult {
        evaluate(check, bytes: bytes, now: now).result
    }

    /// What the reconciler's check of these bytes will find, with each broken rule as a
    /// condition and a row count.
    package static func forecast(_ check: DatasetCheck, bytes: [UInt8]) -> DataForecast {
        let (result, breaches) = evaluate(check, bytes: bytes, now: Date(timeIntervalSince1970: 0))
        switch result.verdict {
        case .validated: return .passes(sha256: result.sha256 ?? "", rows: result.rows ?? 0, checks: result.checks)
        case .dataInvalid: return .fails(sha256: result.sha256, breaches: breaches)
        }
    }

    private static func evaluate(_ check: DatasetCheck, bytes: [UInt8], now: Date) -> (result: DatasetResult, breaches: [DataBreach]) {
        let sha256 = Fingerprint.sha256(bytes)
        func result(rows: Int?, checks: Int, _ breaches: [DataBreach], warnings: [String] = []) -> (DatasetResult, [DataBreach]) {
            var checked = DatasetResult(verdict: breaches.isEmpty ? .validated : .dataInvalid, sha256: sha256, rows: rows, contract: check.contract,
                                        checks: checks, violations: breaches.map(\.message), commit: check.commit, checkedAt: now)
            checked.warnings = warnings
            return (checked, breaches)
        }
        if ManifestSet.isLFSPointer(bytes[...]) {
            return result(rows: nil, checks: 1, [DataBreach(message:
                "source: \(check.data) is a Git LFS pointer, not data; Sextant does not fetch LFS objects: commit the file itself or use uri:")])
        }
        var breaches: [DataBreach] = []
        var checks = 0
        if let pin = check.sha256Pin {
            checks += 1
            if pin != sha256 {
                breaches.append(DataBreach(message: "sha256: the data hashes to \(sha256), the manifest pins \(pin); pin the new hash in spec.sha256 if the change is intended"))
            }
        }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(bytes)
        } catch {
            return result(rows: nil, checks: checks + 1, breaches + [DataBreach(message: "\(check.data):\(error.line): \(error.message)")])
        }
        let report = check.table.rules.check(table)
        checks += report.outcomes.count
        breaches += report.violations.map { outcome in
            DataBreach(condition: outcome.condition, rows: outcome.condition == nil ? nil : Int(outcome.measured), message: outcome.message(table: check.table.name))
        }
        return result(rows: table.rowCount, checks: checks, breaches, warnings: report.warnings.map { $0.message(table: check.table.name) })
    }
}
