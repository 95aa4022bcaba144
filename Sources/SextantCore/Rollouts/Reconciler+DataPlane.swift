import Foundation
import Logging
import SextantAPI
import SextantWire

extension Reconciler {
    /// Stops servers that left the routing table once the gateway has nothing in flight to
    /// their revision (at most `drainGrace` on the clock): requests on their way finish. A
    /// cancelled pass (SIGINT) stops them without waiting.
    func stopWhenDrained(_ replicas: [Replica], model: String, revision: Int) async {
        guard !replicas.isEmpty else { return }
        if let gateway {
            let deadline = clock.deadline(after: Self.drainGrace)
            while clock.now() < deadline,
                  let statistics = await runtime.gatewayStatistics(gateway), statistics.generation >= (routes?.generation ?? 0),
                  (statistics.counters(model: model, revision: revision).inFlight ?? 0) > 0 {
                do {
                    try await clock.sleep(for: .milliseconds(20))
                } catch {
                    break
                }
            }
        }
        await runtime.stopReplicas(replicas)
    }

    /// How long a stop waits for requests in flight.
    static let drainGrace: Duration = .seconds(10)

    // MARK: - Routing

    /// Computes the routing table from what serves, stores it with the next generation when
    /// it changed (or was computed in another lease term), and pushes it to the gateway. A
    /// push that fails is repeated next pass; a restarted gateway loads the stored table.
    func publishRoutes() async {
        guard options.gateway != nil else { return }
        let view = ObservedState(objects: observed, registries: registries, replicas: replicaHealth)
        let models = Planner.routes(desired, observed: view)
        if models != routes?.models || (routes != nil && routes?.epoch != options.epoch) {
            // The generation is taken before the store is awaited: two tables never share one.
            let table = RoutingTable(generation: (routes?.generation ?? 0) + 1, epoch: options.epoch, models: models)
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
    package func superviseGateway(onlyIfStarted: Bool = false) async -> Bool {
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
            writes.append(.events([Event(time: clock.now(), kind: .gateway, name: "gateway", reason: previous == nil ? .gatewayStarted : .gatewayRestarted,
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
    package func replicaDiedUnnoticed() async -> Bool {
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
