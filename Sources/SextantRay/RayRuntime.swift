package import Foundation
package import SextantCore
package import SextantWire

/// The runtime on a Ray cluster (DESIGN §12), over Ray's REST APIs only: a revision's
/// replicas are slots of its Ray Serve application; external trainers run as Ray Jobs and
/// evaluation's private servers as Serve applications through `local`, the embedded runtime
/// hosting them on Ray (`EmbeddedRuntime.hosting`). What takes milliseconds or must stay on
/// this machine — data checks, built-in training, packaging, the gateway, retraining's
/// tables — is `local`'s.
package struct RayRuntime: Runtime {
    let local: any Runtime
    let serve: ServeApplicationSet

    package init(local: any Runtime, serve: ServeApplicationSet) {
        self.local = local
        self.serve = serve
    }

    // MARK: - Serving on Ray

    package func startReplicas(_ launch: ServingLaunch, workspace: Workspace?, indices: [Int], at now: Date) async throws(ActionError) -> [Replica] {
        try await serve.start(launch, workspace: workspace, slots: indices, role: ServeNaming.replicaRole, at: now)
    }

    package func stopReplicas(_ replicas: [Replica]) async {
        await serve.stop(replicas)
    }

    package func probeReplicas(_ replicas: [Replica]) async -> [Replica.ID: ReplicaHealth] {
        await serve.probe(replicas)
    }

    package func exitedReplicas(_ replicas: [Replica]) async -> Set<Replica.ID> {
        await serve.exited(replicas)
    }

    /// Ray places replicas on its nodes and accounts for them itself.
    package func resourceUsage(_ replicas: [Replica]) async -> [Replica.ID: ResourceUsage]? {
        nil
    }

    package func reapOrphans(keeping replicas: [Replica], gateway: GatewayProcess?) async {
        await local.reapOrphans(keeping: replicas, gateway: gateway)
        await serve.adopt(replicas)
    }

    // MARK: - The rest, through the local runtime

    package func observeFiles(_ paths: [String]) async -> [String: DataFileObservation] {
        await local.observeFiles(paths)
    }

    package func checkDataset(_ check: DatasetCheck, at now: Date) async throws(ActionError) -> DatasetResult {
        try await local.checkDataset(check, at: now)
    }

    package func train(_ job: TrainingJob, version: Int) async throws(ActionError) -> TrainingOutput {
        try await local.train(job, version: version)
    }

    package func evaluate(_ job: EvaluationJob, at now: Date) async throws(ActionError) -> Evaluation {
        try await local.evaluate(job, at: now)
    }

    package func package(_ job: PackageJob) async throws(ActionError) -> String {
        try await local.package(job)
    }

    package func ensureGateway(_ known: GatewayProcess?, address: GatewayAddress, at now: Date) async throws(ActionError) -> GatewayProcess {
        try await local.ensureGateway(known, address: address, at: now)
    }

    package func gatewayIsAlive(_ gateway: GatewayProcess) async -> Bool {
        await local.gatewayIsAlive(gateway)
    }

    package func pushRoutes(_ table: RoutingTable, to gateway: GatewayProcess) async throws(ActionError) {
        try await local.pushRoutes(table, to: gateway)
    }

    package func gatewayStatistics(_ gateway: GatewayProcess) async -> GatewayStatistics? {
        await local.gatewayStatistics(gateway)
    }

    package func buildRetrainingTable(_ request: RetrainingTableRequest) async throws(ActionError) -> RetrainingTableResult {
        try await local.buildRetrainingTable(request)
    }

    package func evaluateRecency(_ job: RecencyEvaluationJob, at now: Date) async throws(ActionError) -> RecencyComparison {
        try await local.evaluateRecency(job, at: now)
    }
}

extension ServeApplicationSet: PrivateServing {}
