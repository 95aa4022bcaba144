public import Foundation
public import SextantWire
public import SextantAPI

/// Does what runs match the desired state at the head commit?
public enum SyncStatus: String, Sendable, Hashable, Codable {
    case synced = "Synced"
    case outOfSync = "OutOfSync"
    case unknown = "Unknown"
}

/// For a model, the health of what serves; for a dataset, of its data (DESIGN §3).
public enum HealthStatus: String, Sendable, Hashable, Codable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case degraded = "Degraded"
    case suspended = "Suspended"
    case missing = "Missing"
    case unknown = "Unknown"
}

/// A Kubernetes-style condition.
public struct StatusCondition: Sendable, Hashable, Codable {
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date

    public init(type: String, status: String, reason: String, message: String, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// A revision's share of a model's traffic.
public struct TrafficEntry: Sendable, Hashable, Codable {
    public var revision: Int
    public var version: Int
    public var role: String
    public var weight: Int
    /// What the gateway counted for this revision: a candidate's samples in the current
    /// step's window, the stable revision's since the gateway started.
    public var requests: Int?
    public var errors: Int?
    public var p99Milliseconds: Double?
    /// `shadow`, `preview`: the percent of requests copied to it.
    public var mirrorPercent: Int?
    /// `header`: the header that routes a request to it.
    public var headerRoute: HeaderRouteStatus?

    public struct HeaderRouteStatus: Sendable, Hashable, Codable {
        public var name: String
        public var value: String
    }

    public init(revision: Int, version: Int, role: String, weight: Int, counters: RevisionCounters? = nil, mirrorPercent: Int? = nil,
                headerRoute: HeaderRoute? = nil) {
        self.revision = revision
        self.version = version
        self.role = role
        self.weight = weight
        self.mirrorPercent = mirrorPercent
        self.headerRoute = headerRoute.map { HeaderRouteStatus(name: $0.name, value: $0.value) }
        if let counters {
            requests = Int(counters.requests)
            errors = Int(counters.errors)
            p99Milliseconds = counters.percentile(99).map { Double($0) / 1000 }
        }
    }
}

/// A rollout in flight, for status: the step, the split and the analysis.
public struct RolloutStatus: Sendable, Hashable, Codable {
    public var strategy: String
    public var policy: String?
    /// `canary`, `shadow`, `preview` (blueGreen before the switch) or `switched` (after it).
    public var phase: RolloutPhase
    /// shadow, preview: the percent of requests mirrored to the candidate.
    public var mirrorPercent: Int?
    /// shadow, preview: the candidate's mirrored answers against the answers clients got.
    public var agreement: AgreementStatus?
    /// switched: the revision kept warm to switch back to, until when.
    public var previousRevision: Int?
    public var switchBackUntil: Date?
    /// 1-based.
    public var step: Int
    public var steps: Int
    public var weight: Int
    public var failures: Int
    public var paused: Bool
    public var stepStartedAt: Date
    /// `Passed`, `Failed` or `Inconclusive`.
    public var verdict: String?
    public var objectives: [ObjectiveStatus]
    /// Every step of the policy, in order, the current one marked (`sextant get`). The
    /// count is `steps`: a `pause` belongs to the `setWeight` before it.
    public var policySteps: [StepStatus]?
    /// When the current step's pause ends (null for no pause, or one until `sextant promote`).
    public var pauseUntil: Date?
    /// When a step still inconclusive gives up (`analysis.maxStepDuration`), and what then.
    public var stepDeadline: Date?
    /// `failureLimit`: failed verdicts a rollout survives.
    public var failureLimit: Int?

    /// One step of the policy as a rollout goes through it.
    public struct StepStatus: Sendable, Hashable, Codable {
        public enum State: String, Sendable, Hashable, Codable {
            case done, current, pending
        }

        /// 1-based.
        public var number: Int
        /// `canary`, `shadow`, `preview` or `switched`.
        public var phase: RolloutPhase
        public var weight: Int
        public var mirrorPercent: Int?
        /// The least time the step holds; null when it advances as soon as its verdict passes.
        public var pauseSeconds: Double?
        /// `pause: {}`: waits for `sextant promote`.
        public var untilPromoted: Bool
        public var state: State

        public init(number: Int, _ step: PolicyStep, state: State) {
            self.number = number
            phase = step.phase
            weight = step.weight
            mirrorPercent = step.mirrorPercent
            switch step.pause {
            case .none: untilPromoted = false
            case .seconds(let seconds): pauseSeconds = seconds; untilPromoted = false
            case .untilPromoted: untilPromoted = true
            }
            self.state = state
        }
    }

    public struct AgreementStatus: Sendable, Hashable, Codable {
        /// Request pairs compared in the current window.
        public var compared: Int
        /// Share of equal labels (0–1), null before any.
        public var labelAgreement: Double?
        /// Mean absolute difference of scores, null before any.
        public var meanScoreDifference: Double?
        /// Copies not sent because too many were in flight.
        public var dropped: Int

        public init(_ agreement: RevisionCounters.Agreement) {
            compared = Int(agreement.compared)
            labelAgreement = agreement.labelAgreement
            meanScoreDifference = agreement.meanScoreDifference
            dropped = Int(agreement.dropped)
        }

        /// `98.5% equal labels, mean |Δscore| 0.012 over 412 requests`.
        public var summary: String {
            guard compared > 0 else { return "no answers compared yet" }
            var parts: [String] = []
            if let labelAgreement { parts.append(String(format: "%.1f%% equal labels", labelAgreement * 100)) }
            if let meanScoreDifference { parts.append(String(format: "mean |Δscore| %.3f", meanScoreDifference)) }
            return (parts.isEmpty ? "answers not comparable" : parts.joined(separator: ", ")) + " over \(compared) request\(compared == 1 ? "" : "s")"
        }
    }

    public struct ObjectiveStatus: Sendable, Hashable, Codable {
        public var slo: String
        public var objective: String
        public var target: Double
        public var samples: Int
        public var bad: Int
        public var required: Int
        public var verdict: String
        /// The share of good samples (0–1), null before any.
        public var value: Double?
    }
}

/// One server of a model, as status shows it (`sextant get`).
public struct ReplicaStatus: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Answers `/v2/health/ready`.
        case ready
        case notReady
        case exited
        /// Not probed yet.
        case unknown
    }

    public var revision: Int
    /// `stable`, `candidate`, `shadow`, `preview` or `retiring`.
    public var role: String
    public var index: Int
    /// Where it answers OIP v2.
    public var endpoint: String?
    public var state: State
    /// Why it is not ready, or how it exited.
    public var detail: String?
    /// Its revision's servers' exits in a row.
    public var crashes: Int
    public var startedAt: Date
    public var log: String
    /// What the runtime shows of it (the embedded runtime: its process id and loopback socket), as fields of
    /// the replica's object beside the ones above.
    public var runtime: [String: JSONValue]

    public init(_ replica: Replica, role: String, health: ReplicaHealth?, crashes: Int) {
        revision = replica.revision
        self.role = role
        index = replica.index
        endpoint = replica.endpoint
        switch health {
        case .ready?: state = .ready
        case .notReady(let why)?: state = .notReady; detail = why
        case .exited(let why)?: state = .exited; detail = why
        case nil: state = .unknown
        }
        self.crashes = crashes
        startedAt = replica.startedAt
        log = replica.log
        runtime = replica.handle.summary
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case revision, role, index, endpoint, state, detail, crashes, startedAt, log
    }

    /// A field of the runtime's summary.
    private struct RuntimeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decode(Int.self, forKey: .revision)
        role = try container.decode(String.self, forKey: .role)
        index = try container.decode(Int.self, forKey: .index)
        endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
        state = try container.decode(State.self, forKey: .state)
        detail = try container.decodeIfPresent(String.self, forKey: .detail)
        crashes = try container.decode(Int.self, forKey: .crashes)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        log = try container.decode(String.self, forKey: .log)
        let own = Set(CodingKeys.allCases.map(\.stringValue))
        let fields = try decoder.container(keyedBy: RuntimeKey.self)
        runtime = [:]
        for key in fields.allKeys where !own.contains(key.stringValue) {
            runtime[key.stringValue] = try fields.decode(JSONValue.self, forKey: key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(role, forKey: .role)
        try container.encode(index, forKey: .index)
        try container.encodeIfPresent(endpoint, forKey: .endpoint)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encode(crashes, forKey: .crashes)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(log, forKey: .log)
        let own = Set(CodingKeys.allCases.map(\.stringValue))
        var fields = encoder.container(keyedBy: RuntimeKey.self)
        for (name, value) in runtime where !own.contains(name) {
            try fields.encode(value, forKey: RuntimeKey(stringValue: name))
        }
    }
}

/// One object in status. `kind`, `name`, `sync`, `health`, `phase`, `message` and
/// `conditions` are always present; a kind's own fields are always present for that kind
/// (null when they do not apply).
public struct ObjectStatus: Sendable, Hashable, Codable {
    public var kind: ManifestKind
    public var name: String
    public var sync: SyncStatus
    public var health: HealthStatus
    public var phase: ObjectPhase
    public var message: String
    public var conditions: [StatusCondition]
    /// When the object first appeared in an applied commit.
    public var createdAt: Date
    public var model: ModelFields?
    public var dataset: DatasetFields?

    public struct ModelFields: Sendable, Hashable, Codable {
        public var stableVersion: Int?
        public var candidateVersion: Int?
        public var stableRevision: Int?
        public var candidateRevision: Int?
        public var traffic: [TrafficEntry]
        /// Where the stable revision's replicas answer OIP v2 (`http://HOST:PORT`), until the
        /// gateway routes to them.
        public var endpoints: [String]
        public var rollout: RolloutStatus?
        /// Every serving process: stable, candidate and retiring.
        public var replicas: [ReplicaStatus]

        public init(stableVersion: Int? = nil, candidateVersion: Int? = nil, stableRevision: Int? = nil, candidateRevision: Int? = nil,
                    traffic: [TrafficEntry] = [], endpoints: [String] = [], rollout: RolloutStatus? = nil, replicas: [ReplicaStatus] = []) {
            self.rollout = rollout
            self.replicas = replicas
            self.stableVersion = stableVersion
            self.candidateVersion = candidateVersion
            self.stableRevision = stableRevision
            self.candidateRevision = candidateRevision
            self.traffic = traffic
            self.endpoints = endpoints
        }
    }

    public struct DatasetFields: Sendable, Hashable, Codable {
        public var sha256: String?
        public var rows: Int?
        public var violations: [String]

        public init(sha256: String? = nil, rows: Int? = nil, violations: [String] = []) {
            self.sha256 = sha256
            self.rows = rows
            self.violations = violations
        }
    }

    public var key: ObjectKey { ObjectKey(kind, name) }

    public init(kind: ManifestKind, name: String, sync: SyncStatus, health: HealthStatus, phase: ObjectPhase, message: String,
                conditions: [StatusCondition] = [], createdAt: Date, model: ModelFields? = nil, dataset: DatasetFields? = nil) {
        self.kind = kind
        self.name = name
        self.sync = sync
        self.health = health
        self.phase = phase
        self.message = message
        self.conditions = conditions
        self.createdAt = createdAt
        self.model = model
        self.dataset = dataset
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, sync, health, phase, message, conditions, createdAt
        case stableVersion, candidateVersion, stableRevision, candidateRevision, traffic, endpoints, rollout
        case replicas
        case sha256, rows, violations
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(sync, forKey: .sync)
        try container.encode(health, forKey: .health)
        try container.encode(phase, forKey: .phase)
        try container.encode(message, forKey: .message)
        switch kind {
        case .model:
            let fields = model ?? ModelFields(traffic: [])
            try container.encode(fields.stableVersion, forKey: .stableVersion)
            try container.encode(fields.candidateVersion, forKey: .candidateVersion)
            try container.encode(fields.stableRevision, forKey: .stableRevision)
            try container.encode(fields.candidateRevision, forKey: .candidateRevision)
            try container.encode(fields.traffic, forKey: .traffic)
            try container.encode(fields.endpoints, forKey: .endpoints)
            try container.encode(fields.rollout, forKey: .rollout)
            try container.encode(fields.replicas, forKey: .replicas)
        case .dataset:
            let fields = dataset ?? DatasetFields(violations: [])
            try container.encode(fields.sha256, forKey: .sha256)
            try container.encode(fields.rows, forKey: .rows)
            try container.encode(fields.violations, forKey: .violations)
        default:
            break
        }
        try container.encode(conditions, forKey: .conditions)
        try container.encode(createdAt, forKey: .createdAt)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(ManifestKind.self, forKey: .kind)
        name = try container.decode(String.self, forKey: .name)
        sync = try container.decode(SyncStatus.self, forKey: .sync)
        health = try container.decode(HealthStatus.self, forKey: .health)
        phase = try container.decode(ObjectPhase.self, forKey: .phase)
        message = try container.decode(String.self, forKey: .message)
        conditions = try container.decode([StatusCondition].self, forKey: .conditions)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        if kind == .model {
            model = ModelFields(
                stableVersion: try container.decodeIfPresent(Int.self, forKey: .stableVersion),
                candidateVersion: try container.decodeIfPresent(Int.self, forKey: .candidateVersion),
                stableRevision: try container.decodeIfPresent(Int.self, forKey: .stableRevision),
                candidateRevision: try container.decodeIfPresent(Int.self, forKey: .candidateRevision),
                traffic: try container.decodeIfPresent([TrafficEntry].self, forKey: .traffic) ?? [],
                endpoints: try container.decodeIfPresent([String].self, forKey: .endpoints) ?? [],
                rollout: try container.decodeIfPresent(RolloutStatus.self, forKey: .rollout),
                replicas: try container.decodeIfPresent([ReplicaStatus].self, forKey: .replicas) ?? [])
        }
        if kind == .dataset {
            dataset = DatasetFields(
                sha256: try container.decodeIfPresent(String.self, forKey: .sha256),
                rows: try container.decodeIfPresent(Int.self, forKey: .rows),
                violations: try container.decodeIfPresent([String].self, forKey: .violations) ?? [])
        }
    }
}

/// The followed branch and what became of its head.
public struct RevisionStatus: Sendable, Hashable, Codable {
    /// The fetched head.
    public var commit: String?
    /// The commit whose manifests are applied (the last good one).
    public var appliedCommit: String?
    public var branch: String
    /// The head's subject line.
    public var message: String?
    public var fetchedAt: Date?
    public var reconciledAt: Date?
    /// Why the last fetch failed, if it did.
    public var error: String?

    public init(commit: String? = nil, appliedCommit: String? = nil, branch: String, message: String? = nil,
                fetchedAt: Date? = nil, reconciledAt: Date? = nil, error: String? = nil) {
        self.commit = commit
        self.appliedCommit = appliedCommit
        self.branch = branch
        self.message = message
        self.fetchedAt = fetchedAt
        self.reconciledAt = reconciledAt
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case commit, appliedCommit, branch, message, fetchedAt, reconciledAt, error
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(commit, forKey: .commit)
        try container.encode(appliedCommit, forKey: .appliedCommit)
        try container.encode(branch, forKey: .branch)
        try container.encode(message, forKey: .message)
        try container.encode(fetchedAt, forKey: .fetchedAt)
        try container.encode(reconciledAt, forKey: .reconciledAt)
        try container.encode(error, forKey: .error)
    }
}

/// Why the head commit is not applied: its manifests do not load or validate, or it would
/// prune every model.
public struct ComparisonError: Sendable, Hashable, Codable {
    public var commit: String
    public var reason: String
    /// The first problem, as `FILE:LINE:COL: message`, and how many more there are.
    public var message: String
    /// Every problem.
    public var diagnostics: [String]

    public init(commit: String, reason: String, message: String, diagnostics: [String]) {
        self.commit = commit
        self.reason = reason
        self.message = message
        self.diagnostics = diagnostics
    }
}

/// `sextant status -o json` (DESIGN §3). Fields may be added, never removed.
public struct StatusDocument: Sendable, Hashable, Codable {
    public var revision: RevisionStatus
    public var objects: [ObjectStatus]
    /// Set while the head commit is not applied.
    public var comparisonError: ComparisonError?
    /// The gateway (null while no model needs one, or without a data plane).
    public var gateway: GatewayStatus?

    public init(revision: RevisionStatus, objects: [ObjectStatus], comparisonError: ComparisonError? = nil, gateway: GatewayStatus? = nil) {
        self.revision = revision
        self.objects = objects
        self.comparisonError = comparisonError
        self.gateway = gateway
    }

    enum CodingKeys: String, CodingKey {
        case revision, objects, comparisonError, gateway
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(objects, forKey: .objects)
        try container.encode(comparisonError, forKey: .comparisonError)
        try container.encode(gateway, forKey: .gateway)
    }

    /// Exit status of `sextant status`: 1 when any object is degraded.
    public var isDegraded: Bool { objects.contains { $0.health == .degraded } }

    /// Only the objects named `name`, or `KIND/NAME`.
    public func filtered(_ selector: String) -> StatusDocument {
        var copy = self
        let parts = selector.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            copy.objects = objects.filter { $0.kind.rawValue.lowercased() == parts[0].lowercased() && $0.name == parts[1] }
        } else {
            copy.objects = objects.filter { $0.name == selector }
        }
        return copy
    }

    /// The encoder every JSON form of status uses: ISO 8601 times in UTC, sorted keys (stable output for diffs and tests).
    public static func jsonEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
