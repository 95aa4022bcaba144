package import Foundation
import SextantAPI
package import SextantWire

/// What Sextant has seen and done: the results of finished actions (from the store) and
/// what the runtime reports now.
package struct ObservedState: Sendable {
    /// Objects Sextant acted on, by key: what it last found, and failures being retried.
    package var objects: [ObjectKey: ObservedObject]
    /// The content hash of each local data file (`uri:` sources), read this pass.
    package var dataFiles: [String: DataFileObservation]

    /// Every model's registry, by model name (kept when a model is pruned).
    package var registries: [String: ModelRegistry]
    /// What the probes found of each replica, by id.
    package var replicas: [Replica.ID: ReplicaHealth]
    /// What the gateway counted per revision (nil when it cannot be read).
    package var traffic: GatewayStatistics?
    /// Per SLO: what the serving revision answered within the SLO's rolling time window.
    package var sloSamples: [String: SLOSamples] = [:]
    /// Each revision's resource use, as last sampled.
    package var resources: [RevisionKey: RevisionResources] = [:]
    /// Production signals by model (online metrics, the contract on live inputs).
    package var signals: [String: ModelSignals] = [:]

    package init(objects: [ObjectKey: ObservedObject] = [:], dataFiles: [String: DataFileObservation] = [:],
                registries: [String: ModelRegistry] = [:], replicas: [Replica.ID: ReplicaHealth] = [:], traffic: GatewayStatistics? = nil) {
        self.objects = objects
        self.dataFiles = dataFiles
        self.registries = registries
        self.replicas = replicas
        self.traffic = traffic
    }
}

/// A serving revision's requests within an SLO's rolling window (or since the gateway
/// started, if that is shorter).
package struct SLOSamples: Sendable, Hashable {
    package var revision: Int
    package var counters: RevisionCounters
    /// Where the samples begin.
    package var since: Date

    package init(revision: Int, counters: RevisionCounters, since: Date) {
        self.revision = revision
        self.counters = counters
        self.since = since
    }
}

package enum DataFileObservation: Sendable, Hashable {
    case hashed(sha256: String)
    case unreadable(String)
}

/// An object Sextant acted on.
package struct ObservedObject: Sendable, Hashable, Codable {
    package var key: ObjectKey
    /// The fingerprint of the input of the last action that finished.
    package var fingerprint: String?
    /// A dataset's last verdict.
    package var dataset: DatasetResult?
    /// A model's serving state and stops.
    package var model: ModelObservation?
    /// The last failure of an action, while it is retried.
    package var failure: ActionFailure?
    package var updatedAt: Date

    package init(key: ObjectKey, fingerprint: String? = nil, dataset: DatasetResult? = nil, model: ModelObservation? = nil,
                failure: ActionFailure? = nil, updatedAt: Date) {
        self.key = key
        self.fingerprint = fingerprint
        self.dataset = dataset
        self.model = model
        self.failure = failure
        self.updatedAt = updatedAt
    }
}

/// An action that failed (could not run, as opposed to finding bad data): retried with
/// exponential backoff while its fingerprint stays the same.
package struct ActionFailure: Sendable, Hashable, Codable {
    package var fingerprint: String
    package var attempts: Int
    package var message: String
    package var nextAttemptAt: Date

    package init(fingerprint: String, attempts: Int, message: String, nextAttemptAt: Date) {
        self.fingerprint = fingerprint
        self.attempts = attempts
        self.message = message
        self.nextAttemptAt = nextAttemptAt
    }
}

/// Per-object exponential backoff: 5 s, 10 s, 20 s, … capped at 5 minutes.
package enum Backoff {
    package static let initial: Double = 5
    package static let cap: Double = 300

    package static func delay(afterAttempts attempts: Int) -> Double {
        min(cap, initial * pow(2, Double(max(0, attempts - 1))))
    }
}

/// The verdict of a dataset check.
package struct DatasetResult: Sendable, Hashable, Codable {
    package enum Verdict: String, Sendable, Hashable, Codable {
        case validated = "Validated"
        case dataInvalid = "DataInvalid"
    }

    package var verdict: Verdict
    /// The SHA-256 of the data, when it could be read.
    package var sha256: String?
    package var rows: Int?
    package var contract: ContractLabel
    /// How many checks ran.
    package var checks: Int
    /// Every violation, as one line each: `table.column: rule = measured, limit`.
    package var violations: [String]
    /// Failed rules whose severity makes them warnings.
    package var warnings: [String] = []
    package var commit: String
    package var checkedAt: Date

    package init(verdict: Verdict, sha256: String?, rows: Int?, contract: ContractLabel, checks: Int, violations: [String], commit: String, checkedAt: Date) {
        self.verdict = verdict
        self.sha256 = sha256
        self.rows = rows
        self.contract = contract
        self.checks = checks
        self.violations = violations
        self.commit = commit
        self.checkedAt = checkedAt
    }
}
