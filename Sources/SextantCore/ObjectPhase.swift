/// Where an object stands on its way (status `phase`, DESIGN §3); its JSON is the raw value.
package enum ObjectPhase: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Not looked at yet, or what it needs is missing.
    case pending = "Pending"
    // A model on its way.
    case validatingData = "ValidatingData"
    case training = "Training"
    case evaluating = "Evaluating"
    case packaging = "Packaging"
    case rollingOut = "RollingOut"
    case serving = "Serving"
    /// It would serve, but the gateway does not (docs/deviations.md).
    case unavailable = "Unavailable"
    // A model stopped until Git changes or a person acts.
    case dataInvalid = "DataInvalid"
    case trainingFailed = "TrainingFailed"
    case gateFailed = "GateFailed"
    case rolloutAborted = "RolloutAborted"
    case candidateReady = "CandidateReady"
    // A dataset (`DataInvalid` too).
    case validating = "Validating"
    case validated = "Validated"
    /// A contract, SLO or rollout policy.
    case valid = "Valid"

    /// A model stopped for a reason a person must fix.
    package init(_ stall: StallPhase) {
        self = switch stall {
        case .trainingFailed: .trainingFailed
        case .gateFailed: .gateFailed
        case .rolloutAborted: .rolloutAborted
        }
    }

    /// A dataset checked against its contract.
    package init(_ verdict: DatasetResult.Verdict) {
        self = switch verdict {
        case .validated: .validated
        case .dataInvalid: .dataInvalid
        }
    }

    /// Stopped on something a person must fix (`reconcile --once` exits 1).
    package var needsAPerson: Bool {
        switch self {
        case .dataInvalid, .trainingFailed, .gateFailed, .rolloutAborted: true
        default: false
        }
    }

    package var description: String { rawValue }
}
