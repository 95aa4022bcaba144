package import Foundation

/// What one replica uses now, as its runtime reads it: the CPU time (user and system) of
/// its process and of everything it started, and their resident memory.
package struct ResourceUsage: Sendable, Hashable, Codable {
    package var cpuSeconds: Double
    package var residentBytes: Int

    package init(cpuSeconds: Double, residentBytes: Int) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
    }
}

/// A revision of a model.
package struct RevisionKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package var model: String
    package var revision: Int

    package init(_ model: String, _ revision: Int) {
        self.model = model
        self.revision = revision
    }

    package static func < (lhs: RevisionKey, rhs: RevisionKey) -> Bool {
        (lhs.model, lhs.revision) < (rhs.model, rhs.revision)
    }

    package var description: String { "\(model) r\(revision)" }
}

/// A revision's use of the machine over its life: the CPU time of every replica it ever
/// ran, the resident memory of those that run now, and the predictions the gateway routed
/// to it. The CPU total never goes back: a replica that exits keeps the CPU time of its
/// last sample in it, and a restarted gateway's counts add to the earlier ones.
package struct RevisionResources: Sendable, Hashable, Codable {
    package var key: RevisionKey
    /// The running replicas' last samples, by id.
    package var replicas: [Replica.ID: ResourceUsage]
    /// What the replicas that exited had used at their last sample.
    package var exitedCPUSeconds: Double
    /// Requests the gateway routed (or mirrored) to the revision, over every gateway instance.
    package var predictions: UInt64
    /// The gateway instance counted last, and its count then: the next count of the same
    /// instance adds only what is new.
    package var gatewayInstance: String?
    package var gatewayRequests: UInt64
    /// When a sample last changed anything.
    package var updatedAt: Date

    package init(key: RevisionKey, replicas: [Replica.ID: ResourceUsage] = [:], exitedCPUSeconds: Double = 0, predictions: UInt64 = 0,
                gatewayInstance: String? = nil, gatewayRequests: UInt64 = 0, updatedAt: Date) {
        self.key = key
        self.replicas = replicas
        self.exitedCPUSeconds = exitedCPUSeconds
        self.predictions = predictions
        self.gatewayInstance = gatewayInstance
        self.gatewayRequests = gatewayRequests
        self.updatedAt = updatedAt
    }

    /// CPU seconds of every replica the revision ran.
    package var cpuSeconds: Double { replicas.values.reduce(exitedCPUSeconds) { $0 + $1.cpuSeconds } }
    /// Resident memory of the replicas that run now.
    package var residentBytes: Int { replicas.values.reduce(0) { $0 + $1.residentBytes } }
    /// CPU seconds per 1,000 predictions; nil before the first prediction.
    package var cpuSecondsPer1000Predictions: Double? {
        predictions == 0 ? nil : cpuSeconds * 1000 / Double(predictions)
    }

    /// The gateway's request count of the revision, from one gateway instance.
    package struct GatewayCount: Sendable, Hashable {
        package var instance: String
        package var requests: UInt64

        package init(instance: String, requests: UInt64) {
            self.instance = instance
            self.requests = requests
        }
    }

    /// Folds in a sample of the revision's replicas, by id: a replica known before and
    /// missing now has exited, and its last CPU time stays in the total. A replica's CPU
    /// time never goes back (a member of its process group that no member waited for takes
    /// its CPU time with it). `count` is nil when the gateway could not be read.
    package mutating func record(_ samples: [Replica.ID: ResourceUsage], count: GatewayCount?, at now: Date) {
        let before = self
        for (id, last) in replicas where samples[id] == nil {
            exitedCPUSeconds += last.cpuSeconds
        }
        var running: [Replica.ID: ResourceUsage] = [:]
        for (id, sample) in samples {
            running[id] = ResourceUsage(cpuSeconds: max(sample.cpuSeconds, replicas[id]?.cpuSeconds ?? 0), residentBytes: sample.residentBytes)
        }
        replicas = running
        if let count {
            // Counts only grow within one gateway instance; a new instance counts from zero.
            let earlier = count.instance == gatewayInstance ? min(gatewayRequests, count.requests) : 0
            predictions += count.requests - earlier
            gatewayInstance = count.instance
            gatewayRequests = count.requests
        }
        if self != before { updatedAt = now }
    }

    /// What status and `history` show.
    package var status: ResourceStatus {
        ResourceStatus(cpuSeconds: cpuSeconds, residentBytes: residentBytes, predictions: predictions,
                       cpuSecondsPer1000Predictions: cpuSecondsPer1000Predictions, updatedAt: updatedAt)
    }
}

/// A revision's resource use as status and `history` show it.
package struct ResourceStatus: Sendable, Hashable, Codable {
    /// CPU seconds (user and system) of every replica the revision ran, to the hundredth.
    package var cpuSeconds: Double
    /// Resident memory of its running replicas (0 once none runs).
    package var residentBytes: Int
    /// Requests the gateway routed or mirrored to it.
    package var predictions: UInt64
    /// `cpuSeconds` per 1,000 predictions, to four decimals; null before the first.
    package var cpuSecondsPer1000Predictions: Double?
    /// When the last sample changed anything.
    package var updatedAt: Date

    package init(cpuSeconds: Double, residentBytes: Int, predictions: UInt64, cpuSecondsPer1000Predictions: Double?, updatedAt: Date) {
        self.cpuSeconds = (cpuSeconds * 100).rounded() / 100
        self.residentBytes = residentBytes
        self.predictions = predictions
        self.cpuSecondsPer1000Predictions = cpuSecondsPer1000Predictions.map { ($0 * 10_000).rounded() / 10_000 }
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case cpuSeconds, residentBytes, predictions, cpuSecondsPer1000Predictions, updatedAt
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cpuSeconds, forKey: .cpuSeconds)
        try container.encode(residentBytes, forKey: .residentBytes)
        try container.encode(predictions, forKey: .predictions)
        try container.encode(cpuSecondsPer1000Predictions, forKey: .cpuSecondsPer1000Predictions)  // null before the first
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
