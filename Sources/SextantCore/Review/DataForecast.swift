/// What a dataset's check will find at the head, as `sextant plan` predicts it: the
/// reconciler's own check, run on the data read from Git (or the local file) without
/// running anything from the repository. An input of the review, computed by the CLI.
package enum DataForecast: Sendable, Hashable, Codable {
    /// The data meets its contract.
    case passes(sha256: String, rows: Int, checks: Int)
    /// The data breaks its contract: the reconciler will record `DataInvalid`.
    case fails(sha256: String?, breaches: [DataBreach])
    /// Not checked here (too large, not readable on this machine), and why.
    case unknown(String)

    /// The SHA-256 of the data, when it was read.
    package var sha256: String? {
        switch self {
        case .passes(let sha256, _, _): sha256
        case .fails(let sha256, _): sha256
        case .unknown: nil
        }
    }

    /// What a check already recorded, as a forecast (for datasets not checked again).
    package init(_ result: DatasetResult) {
        switch result.verdict {
        case .validated:
            self = .passes(sha256: result.sha256 ?? "", rows: result.rows ?? 0, checks: result.checks)
        case .dataInvalid:
            self = .fails(sha256: result.sha256, breaches: result.violations.map { DataBreach(message: $0) })
        }
    }
}

/// One rule the data breaks.
package struct DataBreach: Sendable, Hashable, Codable {
    /// The rule as a condition on values (`hour ≤ 22`); nil for rules on the whole table or
    /// the file (a row count, a pin, a CSV error).
    package var condition: String?
    /// How many rows break it, when the rule counts rows.
    package var rows: Int?
    /// The check's own line, as status and events show it.
    package var message: String

    package init(condition: String? = nil, rows: Int? = nil, message: String) {
        self.condition = condition
        self.rows = rows
        self.message = message
    }

    /// `48 rows break hour ≤ 22`, or the check's line.
    package var summary: String {
        guard let condition, let rows else { return message }
        return "\(rows) row\(rows == 1 ? "" : "s") break\(rows == 1 ? "s" : "") \(condition)"
    }
}
