package import Foundation
import SextantWire

/// What Sextant knows of one model beyond its registry: what serves, and why it stopped.
package struct ModelObservation: Sendable, Hashable, Codable {
    /// The revision that takes the traffic.
    package var stableRevision: Int?
    /// The serving processes of the stable revision.
    package var replicas: [Replica]
    /// A failure of the model's own making (trainer, gates, server): not retried for the
    /// same fingerprint until Git changes it or `sextant retry`.
    package var stall: ModelStall?
    /// Consecutive crashes of the stable revision's replicas, and when the next restart is due.
    package var crashes: Int
    package var nextRestartAt: Date?
    package var lastCrash: String?
    /// A canary in flight.
    package var rollout: Rollout?
    /// Old stable revisions kept warm after a promotion, until their `scaleDownDelay` ends.
    package var retiring: [RetiringRevision]
    /// The retraining monitor's state (DESIGN §7): its last check, the cooldown, the last candidate.
    package var retrain: RetrainState?
    /// Changes waiting to be written to Git (at most one per purpose: a newer one replaces
    /// it), kept until written so that a restart loses none.
    package var proposals: [ProposedChange]
    /// The branches written and their pull requests (status `pullRequests`).
    package var pullRequests: [PullRequestRecord]
    /// The last dataset drift verdict recorded (its events were written): a restarted
    /// daemon compares with it, so a change is recorded once.
    package var drift: DriftVerdict?
    /// The last experiment that decided (DESIGN §10): what `sextant experiment` shows once
    /// its rollout ended, and what keeps a `decision: report` winner from deciding again.
    package var experiment: ExperimentReport?

    package init(stableRevision: Int? = nil, replicas: [Replica] = [], stall: ModelStall? = nil, crashes: Int = 0,
                nextRestartAt: Date? = nil, lastCrash: String? = nil, rollout: Rollout? = nil, retiring: [RetiringRevision] = [],
                proposals: [ProposedChange] = [], pullRequests: [PullRequestRecord] = [], drift: DriftVerdict? = nil) {
        self.stableRevision = stableRevision
        self.replicas = replicas
        self.stall = stall
        self.crashes = crashes
        self.nextRestartAt = nextRestartAt
        self.lastCrash = lastCrash
        self.rollout = rollout
        self.retiring = retiring
        self.proposals = proposals
        self.pullRequests = pullRequests
        self.drift = drift
    }

    enum CodingKeys: String, CodingKey {
        case stableRevision, replicas, stall, crashes, nextRestartAt, lastCrash, rollout, retiring, proposals, pullRequests, drift, retrain, experiment
    }

    /// Records written before rollouts existed have no `rollout` or `retiring`; older ones
    /// no proposals, pull requests or drift verdict.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stableRevision = try container.decodeIfPresent(Int.self, forKey: .stableRevision)
        replicas = try container.decode([Replica].self, forKey: .replicas)
        stall = try container.decodeIfPresent(ModelStall.self, forKey: .stall)
        crashes = try container.decode(Int.self, forKey: .crashes)
        nextRestartAt = try container.decodeIfPresent(Date.self, forKey: .nextRestartAt)
        lastCrash = try container.decodeIfPresent(String.self, forKey: .lastCrash)
        rollout = try container.decodeIfPresent(Rollout.self, forKey: .rollout)
        retiring = try container.decodeIfPresent([RetiringRevision].self, forKey: .retiring) ?? []
        retrain = try container.decodeIfPresent(RetrainState.self, forKey: .retrain)
        proposals = try container.decodeIfPresent([ProposedChange].self, forKey: .proposals) ?? []
        pullRequests = try container.decodeIfPresent([PullRequestRecord].self, forKey: .pullRequests) ?? []
        drift = try container.decodeIfPresent(DriftVerdict.self, forKey: .drift)
        experiment = try container.decodeIfPresent(ExperimentReport.self, forKey: .experiment)
    }

    /// Every serving process of the model: stable, candidate and retiring.
    package var allReplicas: [Replica] {
        replicas + (rollout?.replicas ?? []) + retiring.flatMap(\.replicas)
    }

    /// Crashes in a row after which the model is `CrashLoop` (health `Degraded`).
    package static let crashLoopThreshold = 3
}

/// A stopping failure, for one fingerprint.
package struct ModelStall: Sendable, Hashable, Codable {
    package var phase: StallPhase
    /// The fingerprint that failed: training, evaluation or serving.
    package var fingerprint: String
    package var reason: String
    package var message: String
    package var at: Date

    package init(phase: StallPhase, fingerprint: String, reason: String, message: String, at: Date) {
        self.phase = phase
        self.fingerprint = fingerprint
        self.reason = reason
        self.message = message
        self.at = at
    }
}

/// Why a model stopped (its status phase while stopped).
package enum StallPhase: String, Sendable, Hashable, CaseIterable, Codable {
    case trainingFailed = "TrainingFailed"
    case gateFailed = "GateFailed"
    case rolloutAborted = "RolloutAborted"
}

/// One server of a revision, as the store records it for adoption (DESIGN §1): where it
/// answers, and the runtime's own handle on it.
package struct Replica: Sendable, Hashable, Codable, Identifiable {
    package var revision: Int
    package var index: Int
    /// Where it answers OIP v2: an `http://HOST:PORT` URL, or with a path the requests'
    /// paths start with (a Ray Serve application's route prefix).
    package var endpoint: String
    package var log: String
    package var startedAt: Date
    package var handle: RuntimeHandle

    package init(revision: Int, index: Int, endpoint: String, log: String, startedAt: Date, handle: RuntimeHandle) {
        self.revision = revision
        self.index = index
        self.endpoint = endpoint
        self.log = log
        self.startedAt = startedAt
        self.handle = handle
    }

    package var id: RuntimeHandle.ID { handle.id }

    enum CodingKeys: String, CodingKey {
        case revision, index, endpoint, log, startedAt, handle
    }

    /// Records written before runtime handles hold the embedded runtime's process fields
    /// themselves: they become its handle, so an upgraded daemon adopts the servers that run.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decode(Int.self, forKey: .revision)
        index = try container.decode(Int.self, forKey: .index)
        log = try container.decode(String.self, forKey: .log)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        if let handle = try container.decodeIfPresent(RuntimeHandle.self, forKey: .handle) {
            self.handle = handle
            endpoint = try container.decode(String.self, forKey: .endpoint)
        } else {
            let process = try LocalProcess(from: decoder)
            handle = try RuntimeHandle(id: process.id, summary: process.summary, data: process)
            endpoint = process.endpoint
        }
    }
}

extension Replica {
    /// Which one died, as a crash names it.
    var crashDescription: String { "replica \(index) (\(endpoint))" }
}

/// What a probe finds of a replica.
package enum ReplicaHealth: Sendable, Hashable {
    case ready
    /// Alive, but `/v2/health/ready` does not answer 200.
    case notReady(String)
    /// Gone (or what the runtime knew it by now is something else).
    case exited(String)
}
