package import SextantWire

/// One revision's part of a model's requests: what the routing table routes and status
/// shows, computed once for both.
package struct TrafficShare: Sendable, Hashable {
    package var revision: Int
    package var version: Int
    package var role: RouteRole
    /// Percent of the model's traffic (0 for a mirror).
    package var weight: Int
    /// A mirror's copied percent of requests (shadow, preview).
    package var mirrorPercent: Int?
    /// The servers it runs on.
    package var replicas: [Replica]
}

extension ModelObservation {
    /// How the model's requests split: the stable revision first, then a rollout's
    /// candidate; empty while nothing serves.
    package func trafficSplit(stableVersion: Int) -> [TrafficShare] {
        guard let stable = stableRevision else { return [] }
        // After a blueGreen switch the candidate is the stable revision: it takes everything.
        let rollout = self.rollout.flatMap { $0.phase == .switched ? nil : $0 }
        let weight = rollout?.phase.isWeighted == true ? rollout?.weight ?? 0 : 0
        var shares = [TrafficShare(revision: stable, version: stableVersion, role: .stable, weight: 100 - weight, mirrorPercent: nil, replicas: replicas)]
        if let rollout {
            shares.append(TrafficShare(revision: rollout.revision, version: rollout.version, role: rollout.role, weight: weight,
                                       mirrorPercent: rollout.phase.isWeighted ? nil : rollout.mirrorPercent ?? 100, replicas: rollout.replicas))
        }
        return shares
    }
}
