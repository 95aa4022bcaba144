public import Foundation
import SextantAPI
public import SextantWire

/// What Sextant has seen and done: the results of finished actions (from the store) and
/// what the runtime reports now.
public struct ObservedState: Sendable {
    /// Objects Sextant acted on, by key: what it last found, and failures being retried.
    public var objects: [ObjectKey: ObservedObject]
    /// The content hash of each local data file (`uri:` sources), read this pass.
    public var dataFiles: [String: DataFileObservation]

    /// Every model's registry, by model name (kept when a model is pruned).
    public var registries: [String: ModelRegistry]
    /// What the probes found of each replica, by id.
    public var replicas: [Replica.ID: ReplicaHealth]
    /// What the gateway counted per revision (nil when it cannot be read).
    public var traffic: GatewayStatistics?
    /// Per SLO: what the serving revision answered within the SLO's rolling time window.
    public var sloSamples: [String: SLOSamples] = [:]

    public init(objects: [ObjectKey: ObservedObject] = [:], dataFiles: [String: DataFileObservation] = [:],
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
public struct SLOSamples: Sendable, Hashable {
    public var revision: Int
    public var counters: RevisionCounters
    /// Where the samples begin.
    public var since: Date

    public init(revision: Int, counters: RevisionCounters, since: Date) {
        self.revision = revision
        self.counters = counters
        self.since = since
    }
}

public enum DataFileObservation: Sendable, Hashable {
    case hashed(sha256: String)
    case unreadable(String)
}

/// An object Sextant acted on.
public struct ObservedObject: Sendable, Hashable, Codable {
    public var key: ObjectKey
    /// The fingerprint of the input of the last action that finished.
    public var fingerprint: String?
    /// A dataset's last verdict.
    public var dataset: DatasetResult?
    /// A model's serving state and stops.
    public var model: ModelObservation?
    /// The last failure of an action, while it is retried.
    public var failure: ActionFailure?
    public var updatedAt: Date

    public init(key: ObjectKey, fingerprint: String? = nil, dataset: DatasetResult? = nil, model: ModelObservation? = nil,
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
public struct ActionFailure: Sendable, Hashable, Codable {
    public var fingerprint: String
    public var attempts: Int
    public var message: String
    public var nextAttemptAt: Date

    public init(fingerprint: String, attempts: Int, message: String, nextAttemptAt: Date) {
        self.fingerprint = fingerprint
        self.attempts = attempts
        self.message = message
        self.nextAttemptAt = nextAttemptAt
    }
}

/// Per-object exponential backoff: 5 s, 10 s, 20 s, … capped at 5 minutes.
public enum Backoff {
    public static let initial: Double = 5
    public static let cap: Double = 300

    public static func delay(afterAttempts attempts: Int) -> Double {
        min(cap, initial * pow(2, Double(max(0, attempts - 1))))
    }
}

/// The verdict of a dataset check.
public struct DatasetResult: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case validated = "Validated"
        case dataInvalid = "DataInvalid"
    }

    public var verdict: Verdict
    /// The SHA-256 of the data, when it could be read.
    public var sha256: String?
    public var rows: Int?
    public var contract: ContractLabel
    /// How many checks ran.
    public var checks: Int
    /// Every violation, as one line each: `table.column: rule = measured, limit`.
    public var violations: [String]
    /// Failed rules whose severity makes them warnings.
    public var warnings: [String] = []
    public var commit: String
    public var checkedAt: Date

    public init(verdict: Verdict, sha256: String?, rows: Int?, contract: ContractLabel, checks: Int, violations: [String], commit: String, checkedAt: Date) {
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
