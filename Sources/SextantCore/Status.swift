package import Foundation
package import SextantWire
package import SextantAPI

/// Does what runs match the desired state at the head commit?
package enum SyncStatus: String, Sendable, Hashable, Codable {
    case synced = "Synced"
    case outOfSync = "OutOfSync"
    case unknown = "Unknown"
}

/// For a model, the health of what serves; for a dataset, of its data (DESIGN §3).
package enum HealthStatus: String, Sendable, Hashable, Codable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case degraded = "Degraded"
    case suspended = "Suspended"
    case missing = "Missing"
    case unknown = "Unknown"
}

/// A Kubernetes-style condition.
package struct StatusCondition: Sendable, Hashable, Codable {
    package var type: String
    /// `True`, `False` or `Unknown`.
    package var status: String
    package var reason: String
    package var message: String
    package var lastTransitionTime: Date

    package init(type: String, status: String, reason: String, message: String, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// A revision's share of a model's traffic.
package struct TrafficEntry: Sendable, Hashable, Codable {
    package var revision: Int
    package var version: Int
    package var role: String
    package var weight: Int
    /// What the gateway counted for this revision: a candidate's samples in the current
    /// step's window, the stable revision's since the gateway started.
    package var requests: Int?
    package var errors: Int?
    package var p99Milliseconds: Double?
    /// `shadow`, `preview`: the percent of requests copied to it.
    package var mirrorPercent: Int?
    /// `header`: the header that routes a request to it.
    package var headerRoute: HeaderRouteStatus?
    /// What the revision used so far (absent for `header` entries, and where the runtime
    /// cannot tell).
    package var resources: ResourceStatus?

    package struct HeaderRouteStatus: Sendable, Hashable, Codable {
        package var name: String
        package var value: String
    }

    package init(revision: Int, version: Int, role: String, weight: Int, counters: RevisionCounters? = nil, mirrorPercent: Int? = nil,
                headerRoute: HeaderRoute? = nil, resources: ResourceStatus? = nil) {
        self.resources = resources
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
package struct RolloutStatus: Sendable, Hashable, Codable {
    package var strategy: String
    package var policy: String?
    /// `canary`, `shadow`, `preview` (blueGreen before the switch) or `switched` (after it).
    package var phase: RolloutPhase
    /// shadow, preview: the percent of requests mirrored to the candidate.
    package var mirrorPercent: Int?
    /// shadow, preview: the candidate's mirrored answers against the answers clients got.
    package var agreement: AgreementStatus?
    /// switched: the revision kept warm to switch back to, until when.
    package var previousRevision: Int?
    package var switchBackUntil: Date?
    /// 1-based.
    package var step: Int
    package var steps: Int
    package var weight: Int
    package var failures: Int
    package var paused: Bool
    package var stepStartedAt: Date
    /// `Passed`, `Failed` or `Inconclusive`.
    package var verdict: String?
    package var objectives: [ObjectiveStatus]
    /// Every step of the policy, in order, the current one marked (`sextant get`). The
    /// count is `steps`: a `pause` belongs to the `setWeight` before it.
    package var policySteps: [StepStatus]?
    /// When the current step's pause ends (null for no pause, or one until `sextant promote`).
    package var pauseUntil: Date?
    /// When a step still inconclusive gives up (`analysis.maxStepDuration`), and what then.
    package var stepDeadline: Date?
    /// `failureLimit`: failed verdicts a rollout survives.
    package var failureLimit: Int?

    /// One step of the policy as a rollout goes through it.
    package struct StepStatus: Sendable, Hashable, Codable {
        package enum State: String, Sendable, Hashable, Codable {
            case done, current, pending
        }

        /// 1-based.
        package var number: Int
        /// `canary`, `shadow`, `preview` or `switched`.
        package var phase: RolloutPhase
        package var weight: Int
        package var mirrorPercent: Int?
        /// The least time the step holds; null when it advances as soon as its verdict passes.
        package var pauseSeconds: Double?
        /// `pause: {}`: waits for `sextant promote`.
        package var untilPromoted: Bool
        package var state: State

        package init(number: Int, _ step: PolicyStep, state: State) {
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

    package struct AgreementStatus: Sendable, Hashable, Codable {
        /// Request pairs compared in the current window.
        package var compared: Int
        /// Share of equal labels (0–1), null before any.
        package var labelAgreement: Double?
        /// Mean absolute difference of scores, null before any.
        package var meanScoreDifference: Double?
        /// Copies not sent because too many were in flight.
        package var dropped: Int

        package init(_ agreement: RevisionCounters.Agreement) {
            compared = Int(agreement.compared)
            labelAgreement = agreement.labelAgreement
            meanScoreDifference = agreement.meanScoreDifference
            dropped = Int(agreement.dropped)
        }

        /// `98.5% equal labels, mean |Δscore| 0.012 over 412 requests`.
        package var summary: String {
            guard compared > 0 else { return "no answers compared yet" }
            var parts: [String] = []
            if let labelAgreement { parts.append(String(format: "%.1f%% equal labels", labelAgreement * 100)) }
            if let meanScoreDifference { parts.append(String(format: "mean |Δscore| %.3f", meanScoreDifference)) }
            return (parts.isEmpty ? "answers not comparable" : parts.joined(separator: ", ")) + " over \(compared) request\(compared == 1 ? "" : "s")"
        }
    }

    package struct ObjectiveStatus: Sendable, Hashable, Codable {
        package var slo: String
        package var objective: String
        package var target: Double
        package var samples: Int
        package var bad: Int
        package var required: Int
        package var verdict: String
        /// The share of good samples (0–1), null before any.
        package var value: Double?
    }
}

/// One server of a model, as status shows it (`sextant get`).
package struct ReplicaStatus: Sendable, Hashable, Codable {
    package enum State: String, Sendable, Hashable, Codable {
        /// Answers `/v2/health/ready`.
        case ready
        case notReady
        case exited
        /// Not probed yet.
        case unknown
    }

    package var revision: Int
    /// `stable`, `candidate`, `shadow`, `preview` or `retiring`.
    package var role: String
    package var index: Int
    /// Where it answers OIP v2.
    package var endpoint: String?
    package var state: State
    /// Why it is not ready, or how it exited.
    package var detail: String?
    /// Its revision's servers' exits in a row.
    package var crashes: Int
    package var startedAt: Date
    package var log: String
    /// What it uses now (null before the first sample, and where the runtime cannot tell).
    package var resources: ResourceUsage?
    /// What the runtime shows of it (the embedded runtime: its process id and loopback socket), as fields of
    /// the replica's object beside the ones above.
    package var runtime: [String: JSONValue]

    package init(_ replica: Replica, role: String, health: ReplicaHealth?, crashes: Int, resources: ResourceUsage? = nil) {
        self.resources = resources
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
        case revision, role, index, endpoint, state, detail, crashes, startedAt, log, resources
    }

    /// A field of the runtime's summary.
    private struct RuntimeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
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
        resources = try container.decodeIfPresent(ResourceUsage.self, forKey: .resources)
        let own = Set(CodingKeys.allCases.map(\.stringValue))
        let fields = try decoder.container(keyedBy: RuntimeKey.self)
        runtime = [:]
        for key in fields.allKeys where !own.contains(key.stringValue) {
            runtime[key.stringValue] = try fields.decode(JSONValue.self, forKey: key)
        }
    }

    package func encode(to encoder: any Encoder) throws {
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
        try container.encode(resources, forKey: .resources)
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
package struct ObjectStatus: Sendable, Hashable, Codable {
    package var kind: ManifestKind
    package var name: String
    package var sync: SyncStatus
    package var health: HealthStatus
    package var phase: ObjectPhase
    package var message: String
    package var conditions: [StatusCondition]
    /// When the object first appeared in an applied commit.
    package var createdAt: Date
    package var model: ModelFields? {
        get { storedModel?.value }
        set { storedModel = newValue.map(Indirect.boxed) }
    }
    package var dataset: DatasetFields?
    /// Out of line: inline, the model's fields would make every object about 1 KB.
    private var storedModel: Indirect<ModelFields>?

    package struct ModelFields: Sendable, Hashable, Codable {
        package var stableVersion: Int?
        package var candidateVersion: Int?
        package var stableRevision: Int?
        package var candidateRevision: Int?
        package var traffic: [TrafficEntry]
        /// Where the stable revision's replicas answer OIP v2 (`http://HOST:PORT[/PREFIX]`), until the
        /// gateway routes to them.
        package var endpoints: [String]
        package var rollout: RolloutStatus?
        /// Every serving process: stable, candidate and retiring.
        package var replicas: [ReplicaStatus]
        /// Online metrics per revision, from the prediction log joined to feedback (DESIGN §7).
        package var online: [OnlineRevision]
        /// The data contract on logged inputs (`monitoring.contract: observe`).
        package var liveContract: LiveContractStatus?
        /// The retraining monitor (`monitoring.retrain`): its last check and candidate.
        package var retrain: RetrainState?
        /// The serving version against the newest logged rows (DESIGN §7 "Drift").
        package var drift: DriftReport?
        /// The branches Sextant wrote for the model and their pull requests (DESIGN §8).
        package var pullRequests: [PullRequestRecord]
        /// The running experiment's numbers, else the last one that decided (DESIGN §10).
        package var experiment: ExperimentReport?

        package init(stableVersion: Int? = nil, candidateVersion: Int? = nil, stableRevision: Int? = nil, candidateRevision: Int? = nil,
                    traffic: [TrafficEntry] = [], endpoints: [String] = [], rollout: RolloutStatus? = nil, replicas: [ReplicaStatus] = [],
                    online: [OnlineRevision] = [], liveContract: LiveContractStatus? = nil, drift: DriftReport? = nil,
                    pullRequests: [PullRequestRecord] = []) {
            self.drift = drift
            self.pullRequests = pullRequests
            self.online = online
            self.liveContract = liveContract
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

    package struct DatasetFields: Sendable, Hashable, Codable {
        package var sha256: String?
        package var rows: Int?
        package var violations: [String]

        package init(sha256: String? = nil, rows: Int? = nil, violations: [String] = []) {
            self.sha256 = sha256
            self.rows = rows
            self.violations = violations
        }
    }

    package var key: ObjectKey { ObjectKey(kind, name) }

    package init(kind: ManifestKind, name: String, sync: SyncStatus, health: HealthStatus, phase: ObjectPhase, message: String,
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
        case replicas, online, liveContract, drift, pullRequests, retrain, experiment
        case sha256, rows, violations
    }

    package func encode(to encoder: any Encoder) throws {
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
            try container.encode(fields.online, forKey: .online)
            try container.encode(fields.liveContract, forKey: .liveContract)
            try container.encodeIfPresent(fields.retrain, forKey: .retrain)
            try container.encodeIfPresent(fields.drift, forKey: .drift)
            try container.encode(fields.pullRequests, forKey: .pullRequests)
            try container.encode(fields.experiment, forKey: .experiment)
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

    package init(from decoder: any Decoder) throws {
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
                replicas: try container.decodeIfPresent([ReplicaStatus].self, forKey: .replicas) ?? [],
                online: try container.decodeIfPresent([OnlineRevision].self, forKey: .online) ?? [],
                liveContract: try container.decodeIfPresent(LiveContractStatus.self, forKey: .liveContract),
                drift: try container.decodeIfPresent(DriftReport.self, forKey: .drift),
                pullRequests: try container.decodeIfPresent([PullRequestRecord].self, forKey: .pullRequests) ?? [])
            model?.retrain = try container.decodeIfPresent(RetrainState.self, forKey: .retrain)
            model?.experiment = try container.decodeIfPresent(ExperimentReport.self, forKey: .experiment)
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
package struct RevisionStatus: Sendable, Hashable, Codable {
    /// The fetched head.
    package var commit: String?
    /// The commit whose manifests are applied (the last good one).
    package var appliedCommit: String?
    package var branch: String
    /// The head's subject line.
    package var message: String?
    package var fetchedAt: Date?
    package var reconciledAt: Date?
    /// Why the last fetch failed, if it did.
    package var error: String?

    package init(commit: String? = nil, appliedCommit: String? = nil, branch: String, message: String? = nil,
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

    package func encode(to encoder: any Encoder) throws {
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
package struct ComparisonError: Sendable, Hashable, Codable {
    package var commit: String
    package var reason: String
    /// The first problem, as `FILE:LINE:COL: message`, and how many more there are.
    package var message: String
    /// Every problem.
    package var diagnostics: [String]

    package init(commit: String, reason: String, message: String, diagnostics: [String]) {
        self.commit = commit
        self.reason = reason
        self.message = message
        self.diagnostics = diagnostics
    }
}

/// `sextant status -o json` (DESIGN §3). Fields may be added, never removed.
package struct StatusDocument: Sendable, Hashable, Codable {
    package var revision: RevisionStatus
    package var objects: [ObjectStatus]
    /// Set while the head commit is not applied.
    package var comparisonError: ComparisonError?
    /// The gateway (null while no model needs one, or without a data plane).
    package var gateway: GatewayStatus?
    /// The replica that leads, with several replicas on a PostgreSQL store (DESIGN §12);
    /// absent for a daemon on its own state directory. Read live from the lease, not saved.
    package var leader: LeaderRecord?

    package init(revision: RevisionStatus, objects: [ObjectStatus], comparisonError: ComparisonError? = nil, gateway: GatewayStatus? = nil,
                 leader: LeaderRecord? = nil) {
        self.revision = revision
        self.objects = objects
        self.comparisonError = comparisonError
        self.gateway = gateway
        self.leader = leader
    }

    enum CodingKeys: String, CodingKey {
        case revision, objects, comparisonError, gateway, leader
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(objects, forKey: .objects)
        try container.encode(comparisonError, forKey: .comparisonError)
        try container.encode(gateway, forKey: .gateway)
        try container.encodeIfPresent(leader, forKey: .leader)
    }

    /// Exit status of `sextant status`: 1 when any object is degraded.
    package var isDegraded: Bool { objects.contains { $0.health == .degraded } }

    /// Only the objects named `name`, or `KIND/NAME`.
    package func filtered(_ selector: String) -> StatusDocument {
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
    package static func jsonEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    package static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
