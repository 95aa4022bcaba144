import Foundation

extension ServingJob {
    /// The replica indices to start: the free ones, up to the count.
    package var indicesToStart: [Int] {
        let used = Set(keep.map(\.index))
        let wanted = max(0, replicas - keep.count)
        return Array((0..<(max(replicas, 1) + used.count)).filter { !used.contains($0) }.prefix(wanted))
    }
}

extension Change {
    /// A deploy (another revision takes all traffic, then the old one stops), upkeep of the
    /// stable revision (dead replicas replaced, the count scaled), or a rollout's candidate.
    mutating func served(_ job: ServingJob, started: [Replica]) {
        registry.recordAutoscaling(job.launch.autoscaling, of: job.launch.revision)
        if job.role == .candidate {
            servedCandidate(job, started: started)
            return
        }
        let revision = job.launch.revision
        let deploying = revision != state.stableRevision
        let restarted = deploying ? nil : countDeadStableReplicas(job)
        state.replicas = (job.keep + started).sorted { $0.index < $1.index }
        let endpoints = ModelTransition.endpointList(state.replicas)
        output = endpoints
        guard deploying else {
            effects += [.publishRoutes, .stopWhenDrained(revision: revision, job.retire)]
            if restarted != nil {
                event(.replicaRestarted, "\(state.lastCrash ?? "a replica") of r\(revision) exited; restarted on \(endpoints) (crash \(state.crashes) in a row)")
            } else {
                event(.scaled, "r\(revision) runs \(state.replicas.count) replica\(state.replicas.count == 1 ? "" : "s") on \(endpoints)"
                      + (job.launch.autoscaling.map { "; autoscaling \($0.summary)" } ?? ""))
            }
            return
        }
        // Traffic moves before anything stops: the gateway first, then the old servers.
        let previous = state.stableRevision
        let aborted = state.rollout
        state.rollout = nil
        state.retiring.removeAll { $0.revision == revision }
        if let aborted, aborted.revision != revision { registry.withdraw(aborted.revision, at: now) }
        makeStable(revision, replicas: state.replicas)
        registry.moveAllTraffic(from: previous, to: revision, at: now)
        if state.stall?.fingerprint == Planner.servingKey(revision) { state.stall = nil }
        effects.append(.publishRoutes)
        if let aborted { effects.append(.stopWhenDrained(revision: aborted.revision, aborted.replicas)) }
        effects.append(.stopWhenDrained(revision: previous ?? revision, job.retire))
        event(.deployed, "r\(revision) (v\(job.launch.version)) serves 100% of traffic with \(started.count) replica\(started.count == 1 ? "" : "s") on \(endpoints)"
              + (previous.map { "; r\($0) stopped" } ?? ""))
    }

    /// Starts a rollout's candidate, or brings its dead replicas back.
    private mutating func servedCandidate(_ job: ServingJob, started: [Replica]) {
        let revision = job.launch.revision
        let endpoints = ModelTransition.endpointList(started)
        output = endpoints
        if var rollout = state.rollout, rollout.revision == revision {
            let dead = rollout.replicas.filter { !job.keep.contains($0) && !job.retire.contains($0) }
            if !dead.isEmpty {
                (rollout.crashes, rollout.nextRestartAt) = ModelTransition.crashed(after: rollout.crashes, lived: dead.shortestLife(at: now), at: now)
            }
            rollout.replicas = (job.keep + started).sorted { $0.index < $1.index }
            state.rollout = rollout
            effects += [.publishRoutes, .stopReplicas(job.retire)]
            event(.replicaRestarted, "a replica of candidate r\(revision) exited; restarted on \(endpoints) (crash \(rollout.crashes) in a row)")
            return
        }
        let policy = context.policy
        let steps = policy?.steps ?? []
        let first = steps.first ?? PolicyStep(weight: 0, pause: .none)
        // The first step begins now that its replicas are ready, not when the pass began: a
        // pass that trained and evaluated first would otherwise shorten its pause.
        state.rollout = Rollout(revision: revision, version: job.launch.version, replicas: started, step: 0, phase: first.phase, weight: first.weight,
                                mirrorPercent: first.mirrorPercent, startedAt: now,
                                window: .starting(at: now, model: name, revision: revision, traffic: context.traffic))
        registry.expose(revision, weight: first.weight, at: now)
        effects.append(.publishRoutes)
        let slos = Set(policy?.objectives.map(\.slo) ?? []).sorted()
        let how = switch first.phase {
        case .canary: "canary of r\(revision) (v\(job.launch.version)) by \(policy?.name ?? "policy") on \(endpoints): step 1/\(steps.count): \(first.weight)% to r\(revision)"
        case .shadow, .preview:
            "\(first.phase == .shadow ? "shadow" : "blueGreen preview") of r\(revision) (v\(job.launch.version)) by \(policy?.name ?? "policy") on \(endpoints): "
                + "\(first.mirrorPercent ?? 100)% of requests mirrored to it, its answers recorded and never returned"
        case .switched: "r\(revision) (v\(job.launch.version)) switched in on \(endpoints)"
        case .experiment:
            "experiment of r\(revision) (v\(job.launch.version)) by \(policy?.name ?? "policy") on \(endpoints): "
                + (policy?.experiment.map(\.summary) ?? "\(first.weight)% to r\(revision)")
        }
        event(.rolloutStarted, how + (slos.isEmpty ? "; no SLO judges it" : "; judged by \(slos.joined(separator: ", ")) every \(Int(policy?.interval ?? 5)) s"))
    }

    /// The stable revision's replicas that died (neither kept nor retired by `job`) count as
    /// one crash, before their restart, so a restart that fails backs off. Returns them.
    @discardableResult
    mutating func countDeadStableReplicas(_ job: ServingJob) -> [Replica]? {
        let dead = state.replicas.filter { !job.keep.contains($0) && !job.retire.contains($0) }
        guard !dead.isEmpty else { return nil }
        state.replicas = job.keep + job.retire
        countStableCrash(lived: dead.shortestLife(at: now))
        state.lastCrash = dead.map(\.crashDescription).joined(separator: ", ")
        return dead
    }

    mutating func countStableCrash(lived: TimeInterval) {
        let (crashes, next) = ModelTransition.crashed(after: state.crashes, lived: lived, at: now)
        state.crashes = crashes
        state.nextRestartAt = next
    }

    /// Makes `revision` the stable one, on `replicas`, and starts the crash count again.
    mutating func makeStable(_ revision: Int, replicas: [Replica]) {
        state.stableRevision = revision
        state.replicas = replicas
        state.crashes = 0
        state.nextRestartAt = nil
        state.lastCrash = nil
    }

    // MARK: - Retiring and stopping

    mutating func retired(_ retiring: RetiringRevision) {
        state.retiring.removeAll { $0 == retiring }
        effects.append(.stopReplicas(retiring.replicas))
        output = "r\(retiring.revision): \(retiring.replicas.count) replica\(retiring.replicas.count == 1 ? "" : "s")"
        event(.scaledDown, "r\(retiring.revision) stopped after its scaleDownDelay (\(retiring.replicas.count) replica\(retiring.replicas.count == 1 ? "" : "s"))")
    }

    mutating func stopped(_ replicas: [Replica]) {
        let withdrawn = [state.stableRevision, state.rollout?.revision]
        state.replicas = []
        state.stableRevision = nil
        state.rollout = nil
        state.retiring = []
        for revision in withdrawn { registry.withdraw(revision, at: now) }
        // Out of the gateway first.
        effects += [.publishRoutes, .stopReplicas(replicas)]
        event(.servingStopped, "stopped \(replicas.count) serving process\(replicas.count == 1 ? "" : "es") of a model removed from Git")
    }
}

extension [Replica] {
    /// How long the youngest of them lived.
    func shortestLife(at now: Date) -> TimeInterval {
        map { now.timeIntervalSince($0.startedAt) }.min() ?? 0
    }
}

extension ModelTransition {
    /// Where replicas answer, each URL once: the replicas of a Ray Serve application share
    /// its URL.
    static func endpointList(_ replicas: [Replica]) -> String {
        var seen: Set<String> = []
        return replicas.map(\.endpoint).filter { seen.insert($0).inserted }.joined(separator: ", ")
    }
}
