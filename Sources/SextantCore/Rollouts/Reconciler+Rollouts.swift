import SextantWire
import Foundation
import Logging
import SextantAPI

extension Reconciler {
    // MARK: - Rollout transitions

    /// Applies a rollout transition to the model's state. Traffic moves (the routing table
    /// is pushed) before any server stops, and a server stops once nothing is in flight to it.
    func applyRollout(_ change: RolloutChange, revision: Int, state: inout ModelObservation, registry: inout ModelRegistry,
                      name: String, now: Date, event: (String, String) -> Void) async throws(ActionError) -> String {
        guard var rollout = state.rollout, rollout.revision == revision else { return "no rollout of r\(revision) in flight" }
        if rollout.phase == .switched {
            return await applyAfterSwitch(change, rollout: rollout, state: &state, registry: &registry, name: name, now: now, event: event)
        }
        let stable = state.stableRevision.map { "r\($0)" } ?? "stable"
        switch change {
        case .advance(let step, let next, let window, let message):
            rollout.step = step
            rollout.window = window
            rollout.stepStartedAt = clock.now()
            rollout.suspended = nil
            rollout.promoteRequested = nil
            if next.phase == .switched {
                // blueGreen's switch: the preview becomes stable at once, the old stable stays warm.
                let policy = desired?.manifests.model(named: name).map { ResolvedPolicy($0, in: desired!.manifests) }
                let delay = policy?.scaleDownDelay ?? 30
                if let previous = state.stableRevision {
                    state.retiring.append(RetiringRevision(revision: previous, replicas: state.replicas, until: now.addingTimeInterval(delay)))
                }
                rollout.previousRevision = state.stableRevision
                rollout.phase = .switched
                rollout.weight = 100
                rollout.mirrorPercent = nil
                let previous = makeStable(revision, replicas: rollout.replicas, state: &state)
                rollout.replicas = []
                state.rollout = rollout
                await publishRoutes(name, state, registry, now: now)
                registry.moveAllTraffic(from: previous, to: revision, at: clock.now())
                event(change.name, "\(message); \(stable) stays warm for \(Int(delay)) s and takes everything back if r\(revision) fails its analysis meanwhile")
            } else {
                rollout.phase = next.phase
                rollout.weight = next.weight
                rollout.mirrorPercent = next.mirrorPercent
                state.rollout = rollout
                await publishRoutes(name, state, registry, now: now)
                registry.expose(revision, weight: next.weight, at: clock.now())
                event(change.name, message)
            }
        case .restartWindow(let window, let failures, let message):
            let failed = failures > rollout.failures
            rollout.window = window
            rollout.failures = failures
            state.rollout = rollout
            event(failed ? "AnalysisFailed" : change.name, message)
        case .suspend(let message):
            rollout.suspended = message
            state.rollout = rollout
            event(change.name, message)
        case .promote(let message):
            let policy = desired?.manifests.model(named: name).map { ResolvedPolicy($0, in: desired!.manifests) }
            if let previous = state.stableRevision, !state.replicas.isEmpty {
                state.retiring.append(RetiringRevision(revision: previous, replicas: state.replicas,
                                                       until: now.addingTimeInterval(policy?.scaleDownDelay ?? 30)))
            }
            let previous = makeStable(revision, replicas: rollout.replicas, state: &state)
            state.rollout = nil
            await publishRoutes(name, state, registry, now: now)
            registry.moveAllTraffic(from: previous, to: revision, at: clock.now())
            event(change.name, "\(message); r\(revision) serves 100%" + (state.retiring.isEmpty ? "" : "; \(stable) stays warm for \(Int(policy?.scaleDownDelay ?? 30)) s"))
        case .abort(let reason, let message):
            state.rollout = nil
            await publishRoutes(name, state, registry, now: now)
            registry.withdraw(revision, at: clock.now())
            await stopWhenDrained(rollout.replicas, model: name, revision: revision)
            if reason != RolloutChange.superseded {
                state.stall = ModelStall(phase: "RolloutAborted", fingerprint: Planner.servingKey(revision), reason: reason, message: message, at: now)
            }
            event(change.name, "\(message); all traffic back to \(stable)"
                  + (reason == RolloutChange.superseded ? "" : "; not retried until Git changes or `sextant retry \(name)`"))
        }
        return change.name
    }

    /// A transition of blueGreen's guard after the switch: the switched revision is stable,
    /// the one before it warm among the retiring revisions.
    private func applyAfterSwitch(_ change: RolloutChange, rollout: Rollout, state: inout ModelObservation, registry: inout ModelRegistry,
                                  name: String, now: Date, event: (String, String) -> Void) async -> String {
        var rollout = rollout
        let revision = rollout.revision
        let previous = rollout.previousRevision
        let warm = state.retiring.first { $0.revision == previous }
        switch change {
        case .advance, .promote:
            // The guard held: the old stable goes now.
            state.rollout = nil
            state.retiring.removeAll { $0.revision == previous }
            if let warm { await runtime.stopReplicas(warm.replicas) }
            event(RolloutChange.promote(message: "").name, "\(change.message); r\(revision) stays"
                  + (warm.map { "; r\($0.revision) stopped (\($0.replicas.count) replica\($0.replicas.count == 1 ? "" : "s"))" } ?? ""))
        case .restartWindow(let window, let failures, let message):
            let failed = failures > rollout.failures
            rollout.window = window
            rollout.failures = failures
            state.rollout = rollout
            event(failed ? "AnalysisFailed" : change.name, message)
        case .suspend(let message):
            rollout.suspended = message
            state.rollout = rollout
            event(change.name, message)
        case .abort(let reason, let message) where reason == RolloutChange.superseded:
            state.rollout = nil
            event(change.name, "\(message); r\(revision) stays stable" + (warm.map { ", r\($0.revision) warm until its scale-down" } ?? ""))
        case .abort(let reason, let message):
            // Switch back: the warm revision takes everything again, then the switched one stops.
            guard let previous else {
                state.rollout = nil
                event(change.name, "\(message); no revision to switch back to: r\(revision) keeps serving")
                return change.name
            }
            let switched = state.replicas
            makeStable(previous, replicas: warm?.replicas ?? [], state: &state)
            state.retiring.removeAll { $0.revision == previous }
            state.rollout = nil
            state.stall = ModelStall(phase: "RolloutAborted", fingerprint: Planner.servingKey(revision), reason: reason, message: message, at: now)
            await publishRoutes(name, state, registry, now: now)
            registry.moveAllTraffic(from: revision, to: previous, at: clock.now())
            await stopWhenDrained(switched, model: name, revision: revision)
            event(change.name, "\(message); switched back: all traffic to r\(previous)"
                  + (warm == nil ? " (its servers start again)" : "") + "; not retried until Git changes or `sextant retry \(name)`")
        }
        return change.name
    }

    /// Makes `revision` the stable one, on `replicas`, and starts the crash count again.
    /// Returns the stable revision before it; the registry records the move once the
    /// gateway routes it (`moveAllTraffic`).
    @discardableResult
    private func makeStable(_ revision: Int, replicas: [Replica], state: inout ModelObservation) -> Int? {
        let previous = state.stableRevision
        state.stableRevision = revision
        state.replicas = replicas
        state.crashes = 0
        state.nextRestartAt = nil
        state.lastCrash = nil
        return previous
    }

    /// Stops servers that left the routing table once the gateway has nothing in flight to
    /// their revision (at most `drainGrace`): requests on their way finish.
    func stopWhenDrained(_ replicas: [Replica], model: String, revision: Int) async {
        guard !replicas.isEmpty else { return }
        if let gateway {
            let deadline = ContinuousClock.now + Self.drainGrace
            while ContinuousClock.now < deadline,
                  let statistics = await runtime.gatewayStatistics(gateway), statistics.generation >= (routes?.generation ?? 0),
                  (statistics.counters(model: model, revision: revision).inFlight ?? 0) > 0 {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        await runtime.stopReplicas(replicas)
    }

    /// How long a stop waits for requests in flight.
    static let drainGrace: Duration = .seconds(10)

    /// Starts a rollout's candidate, or brings its dead replicas back.
    func serveCandidate(_ job: ServingJob, state: inout ModelObservation, registry: inout ModelRegistry, indices: [Int], now: Date,
                        event: (String, String) -> Void) async throws(ActionError) {
        let revision = job.launch.revision
        let started = try await runtime.startReplicas(job.launch, workspace: job.workspace, indices: indices, at: now)
        let endpoints = started.map(\.endpoint).joined(separator: ", ")
        if var rollout = state.rollout, rollout.revision == revision {
            let dead = rollout.replicas.filter { !job.keep.contains($0) && !job.retire.contains($0) }
            if !dead.isEmpty {
                // A replica that lived a minute starts the count again.
                let lived = dead.map { now.timeIntervalSince($0.startedAt) }.min() ?? 0
                rollout.crashes = lived > 60 ? 1 : rollout.crashes + 1
                rollout.nextRestartAt = now.addingTimeInterval(Backoff.delay(afterAttempts: rollout.crashes))
            }
            rollout.replicas = (job.keep + started).sorted { $0.index < $1.index }
            state.rollout = rollout
            await publishRoutes(job.model, state, registry, now: now)
            await runtime.stopReplicas(job.retire)
            event("ReplicaRestarted", "a replica of candidate r\(revision) exited; restarted on \(endpoints) (crash \(rollout.crashes) in a row)")
            return
        }
        let policy = desired?.manifests.model(named: job.model).map { ResolvedPolicy($0, in: desired!.manifests) }
        let steps = policy?.steps ?? []
        let first = steps.first ?? PolicyStep(weight: 0, pause: .none)
        // The first step begins now that its replicas are ready, not when the pass began: a
        // pass that trained and evaluated first would otherwise shorten its pause.
        let began = clock.now()
        state.rollout = Rollout(revision: revision, version: job.launch.version, replicas: started, step: 0, phase: first.phase, weight: first.weight,
                                mirrorPercent: first.mirrorPercent, startedAt: began,
                                window: .starting(at: began, model: job.model, revision: revision, traffic: traffic))
        await publishRoutes(job.model, state, registry, now: now)
        registry.expose(revision, weight: first.weight, at: clock.now())
        let slos = Set(policy?.objectives.map(\.slo) ?? []).sorted()
        let how = switch first.phase {
        case .canary: "canary of r\(revision) (v\(job.launch.version)) by \(policy?.name ?? "policy") on \(endpoints): step 1/\(steps.count): \(first.weight)% to r\(revision)"
        case .shadow, .preview:
            "\(first.phase == .shadow ? "shadow" : "blueGreen preview") of r\(revision) (v\(job.launch.version)) by \(policy?.name ?? "policy") on \(endpoints): "
                + "\(first.mirrorPercent ?? 100)% of requests mirrored to it, its answers recorded and never returned"
        case .switched: "r\(revision) (v\(job.launch.version)) switched in on \(endpoints)"
        }
        event("RolloutStarted", how + (slos.isEmpty ? "; no SLO judges it" : "; judged by \(slos.joined(separator: ", ")) every \(Int(policy?.interval ?? 5)) s"))
    }

    // MARK: - Operator requests

    /// `sextant promote` / `abort`: recorded on the rollout (the next plan acts on it), as
    /// an event naming the person.
    func applyDecision(_ request: OperatorRequest, commit: String?, now: Date) async throws {
        let key = ObjectKey(.model, request.model)
        var object = observed[key] ?? ObservedObject(key: key, model: ModelObservation(), updatedAt: now)
        var state = object.model ?? ModelObservation()
        let message: String
        if var rollout = state.rollout {
            if request.action == "promote" { rollout.promoteRequested = request.actor } else { rollout.abortRequested = request.actor }
            state.rollout = rollout
            message = "\(request.actor) asked to \(request.action) the rollout of r\(rollout.revision) (\(rollout.phase.rawValue), step \(rollout.step + 1), \(rollout.weight)%)"
        } else {
            message = "\(request.actor) asked to \(request.action), but no rollout is in flight: nothing changes"
        }
        object.model = state
        object.updatedAt = now
        let reason = request.action == "promote" ? "PromoteRequested" : "AbortRequested"
        let event = Event(time: clock.now(), kind: "Model", name: request.model, reason: reason, message: message, commit: commit, actor: request.actor)
        let id = try await journal(JournalEntry(action: reason, key: key, fingerprint: Fingerprint.of("\(request.action)/1", [request.model]),
                                                attempt: 1, commit: commit, input: "{}", startedAt: now), for: request)
        observed[key] = object
        try await persist(.finishAction(id: id, outcome: JournalOutcome(state: .succeeded, output: message, finishedAt: now),
                                       update: .model(object, registries[request.model] ?? ModelRegistry(model: request.model)), events: [event],
                                       action: reason))
    }

    // MARK: - Routing

    /// Computes the routing table from what serves (with one model's state replaced by
    /// `state`, not yet recorded), stores it with the next generation when it changed, and
    /// pushes it to the gateway. A push that fails is repeated next pass; a restarted
    /// gateway loads the stored table.
    func publishRoutes(_ model: String? = nil, _ state: ModelObservation? = nil, _ registry: ModelRegistry? = nil, now: Date) async {
        guard options.gateway != nil else { return }
        // Models acting in parallel: each one's state, changed but not yet recorded, counts.
        if let model, let state { unrecorded[model] = (state, registry ?? unrecorded[model]?.registry) }
        var view = ObservedState(objects: observed, registries: registries, replicas: replicaHealth)
        for (name, pending) in unrecorded {
            let key = ObjectKey(.model, name)
            var object = view.objects[key] ?? ObservedObject(key: key, updatedAt: now)
            object.model = pending.state
            view.objects[key] = object
            if let registry = pending.registry { view.registries[name] = registry }
        }
        let models = Planner.routes(desired, observed: view)
        if models != routes?.models {
            // The generation is taken before the store is awaited: two tables never share one.
            let table = RoutingTable(generation: (routes?.generation ?? 0) + 1, models: models)
            routes = table
            do {
                try await persist(.routes(table))
            } catch {
                // Queued: stored before anything else the store takes next.
                logger.error("cannot store the routing table yet", metadata: ["generation": "\(table.generation)", "error": "\(error)"])
            }
        }
        await pushRoutes()
    }

    /// Sends the stored table to the gateway unless it already has it.
    func pushRoutes() async {
        guard let gateway, let routes, pushedGeneration != routes.generation || traffic.map({ $0.generation < routes.generation }) == true else { return }
        do throws(ActionError) {
            try await runtime.pushRoutes(routes, to: gateway)
            pushedGeneration = routes.generation
        } catch {
            logger.warning("cannot push the routing table to the gateway", metadata: ["generation": "\(routes.generation)", "error": "\(error.message)"])
        }
    }

    // MARK: - The gateway process

    /// Starts the gateway when it is missing (or adopts the one still running), records it,
    /// and pushes it the routing table. The daemon calls it every few hundred
    /// milliseconds, so a killed gateway is back within a second.
    ///
    /// - Parameter onlyIfStarted: leave a gateway that never ran to the next pass (which
    ///   starts it once there is a model).
    /// - Returns: whether the gateway went down or came back (status then needs a pass).
    @discardableResult
    public func superviseGateway(onlyIfStarted: Bool = false) async -> Bool {
        guard let address = options.gateway, restored, !onlyIfStarted || gateway != nil || gatewayError != nil else { return false }
        if let gateway, gateway.address == address, await runtime.gatewayIsAlive(gateway) { return false }
        if gatewayStarting { return false }
        gatewayStarting = true
        defer { gatewayStarting = false }
        let now = clock.now()
        let previous = gateway
        let started: GatewayProcess
        do throws(ActionError) {
            started = try await runtime.ensureGateway(previous, address: address, at: now)
        } catch {
            let wasServing = gatewayError == nil
            if error.message != gatewayError {
                // Once per cause: the watchdog tries again every few hundred milliseconds.
                logger.error("cannot start the gateway", metadata: ["address": "\(address)", "error": "\(error.message)"])
            }
            gatewayError = error.message
            return wasServing
        }
        // It runs: the reconciler knows it even if the store cannot record it yet.
        let recovered = gatewayError != nil
        gatewayError = nil
        gateway = started
        pushedGeneration = nil
        var writes: [PendingWrite] = [.gateway(started)]
        if started != previous {
            let how = previous == nil ? "started" : "restarted (the previous one was gone)"
            logger.notice("gateway \(how)", metadata: ["address": "\(started.address)", "admin": "\(started.adminEndpoint)", "handle": "\(started.handle.id)"])
            writes.append(.events([Event(time: clock.now(), kind: "Gateway", name: "gateway", reason: previous == nil ? "GatewayStarted" : "GatewayRestarted",
                                         message: "the gateway \(how) on \(started.address), admin endpoint \(started.adminEndpoint), routing table generation \(routes?.generation ?? 0)",
                                         commit: desired?.commit, actor: options.actor)]))
        }
        do {
            try await persist(writes)
        } catch {
            logger.error("cannot record the gateway yet", metadata: ["error": "\(error)"])
        }
        await pushRoutes()
        return recovered
    }

    /// The gateway for status: nil until a model needs one.
    var gatewayStatus: GatewayStatus? {
        guard let address = options.gateway, gateway != nil || gatewayError != nil else { return nil }
        return GatewayStatus(address: address.description, serving: gatewayError == nil, error: gatewayError)
    }

    /// Whether a serving process died that the last probe still saw alive: the watchdog
    /// then asks for a pass, which replaces it.
    public func replicaDiedUnnoticed() async -> Bool {
        guard restored else { return false }
        let watched = observed.values.flatMap { $0.model?.allReplicas ?? [] }.filter { replica in
            if case .exited? = replicaHealth[replica.id] { return false }
            return true
        }
        guard !watched.isEmpty else { return false }
        return !(await runtime.exitedReplicas(watched)).isEmpty
    }

    /// Reads the gateway's counters for analysis, and keeps a history of them for the
    /// SLOs' rolling windows (in memory: a restarted daemon starts the windows again).
    func observeTraffic() async {
        guard let gateway else {
            traffic = nil
            return
        }
        traffic = await runtime.gatewayStatistics(gateway)
        let now = clock.now()
        if let traffic {
            trafficHistory.append((now, traffic))
            let longest = (desired?.manifests.slos ?? []).compactMap { $0.spec.timeWindow?.first.flatMap { ManifestDuration($0.duration)?.seconds } }.max() ?? 0
            // Keep the newest snapshot older than the longest window: the baseline.
            while trafficHistory.count > 1, trafficHistory[1].at <= now.addingTimeInterval(-longest) { trafficHistory.removeFirst() }
        }
    }

    /// Per SLO, the serving revision's samples within its rolling window: the counters now
    /// minus the oldest snapshot of the same gateway instance inside the window.
    func sloSamples(_ state: ObservedState) -> [String: SLOSamples] {
        guard let desired, let traffic, let current = trafficHistory.last else { return [:] }
        var samples: [String: SLOSamples] = [:]
        for slo in desired.manifests.slos {
            guard let stable = state.objects[ObjectKey(.model, slo.spec.service)]?.model?.stableRevision,
                  let window = slo.spec.timeWindow?.first.flatMap({ ManifestDuration($0.duration)?.seconds }) else { continue }
            let start = current.at.addingTimeInterval(-window)
            let baseline = trafficHistory.last { $0.at <= start && $0.statistics.instance == traffic.instance }
                ?? trafficHistory.first { $0.statistics.instance == traffic.instance }
            guard let baseline else { continue }
            let counters = traffic.counters(model: slo.spec.service, revision: stable)
            samples[slo.metadata.name] = SLOSamples(revision: stable, counters: counters.since(baseline.statistics.counters(model: slo.spec.service, revision: stable)),
                                                    since: baseline.at)
        }
        return samples
    }
}
