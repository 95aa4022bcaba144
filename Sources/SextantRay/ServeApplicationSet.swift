package import Foundation
package import Logging
package import SextantCore
import SextantAPI
import SextantRayServe

/// The Serve applications Sextant runs on one Ray cluster (DESIGN §12): one per revision
/// that serves (`sextant-MODEL-rN` under `/MODEL/rN`) and one per private server of an
/// evaluation (`sextant-MODEL-rN-ROLE`). `PUT /api/serve/applications/` is declarative —
/// what it does not list is removed — so this actor owns the whole set and sends all of it
/// at every change; a change Ray refuses is taken back. Core's replicas of a revision are
/// slots of its application: `num_replicas` is how many slots it has (Ray places and
/// replaces the replicas themselves), or Serve autoscales between the manifest's bounds.
///
/// After a restart the set is what the store's replicas say (`adopt`): the applications
/// still running are declared unchanged, so Serve leaves them running, and the ones nobody
/// knows (a crash's evaluation) are removed.
package actor ServeApplicationSet {
    /// One declared application and its slots.
    struct Member: Sendable {
        var application: ServeApplication
        var slots: Set<Int>
        /// When it was first declared: in the slots' ids, which must never repeat.
        var declaredAt: Date
        /// Each deployment's: a replica per slot, or autoscaling.
        var scale: ServeScale

        /// The scale for the slots as they now are, on every deployment Sextant knows.
        mutating func rescale(_ autoscaling: ServingAutoscaling?) {
            scale = autoscaling.map { .autoscaling(ServeAutoscaling(minReplicas: $0.minReplicas, maxReplicas: $0.maxReplicas,
                                                                    targetOngoingRequests: $0.targetOngoingRequests)) }
                ?? .replicas(slots.count)
            application.deployments = application.deployments.map { ServeDeployment(name: $0.name, scale: scale, cpusPerReplica: $0.cpusPerReplica) }
        }
    }

    let client: RayClient
    /// Where Serve's proxy should listen when Serve starts.
    let proxy: ServeHTTPOptions
    let files: any ServerFiles
    let clock: any WallClock
    let readinessTimeout: Duration
    let pollInterval: Duration
    let logger: Logger
    private var members: [String: Member] = [:]
    /// Whether Ray has not taken the set as it now is (the next probe sends it again).
    private var undeclared = false
    /// Counts declarations, so a status read before the last one is not taken for after.
    private var generation = 0
    /// Serve's status and when it was read, for the frequent cheap looks.
    private var recentStatus: (status: ServeStatus, readAt: Date)?

    package init(client: RayClient, proxy: ServeHTTPOptions, files: any ServerFiles, clock: any WallClock = SystemClock(),
                 readinessTimeout: Duration = .seconds(120), pollInterval: Duration = .milliseconds(500),
                 logger: Logger = Logger(label: "sextant.ray")) {
        self.client = client
        self.proxy = proxy
        self.files = files
        self.clock = clock
        self.readinessTimeout = readinessTimeout
        self.pollInterval = pollInterval
        self.logger = logger
    }

    // MARK: - Replicas

    /// Adds `slots` to the revision's application (declaring it when new) and returns once
    /// Serve runs it with every slot's replica; the replicas all answer on the application's
    /// URL behind Serve's proxy. A failed start takes back only the slots it added.
    package func start(_ launch: ServingLaunch, workspace: Workspace?, slots: [Int], role: String, at now: Date) async throws(ActionError) -> [Replica] {
        let name = ServeNaming.application(model: launch.model, revision: launch.revision, role: role)
        if members[name] == nil {
            let application = try await build(launch, workspace: workspace, name: name, role: role)
            // Read again after the await: another start may have declared it meanwhile.
            if members[name] == nil {
                members[name] = Member(application: application, slots: [], declaredAt: clock.now(), scale: .replicas(0))
            }
        }
        guard var member = members[name] else { throw ActionError("the Serve application \(name) was removed while it started") }
        let added = Set(slots).subtracting(member.slots)
        member.slots.formUnion(slots)
        member.rescale(launch.autoscaling)
        members[name] = member
        do throws(ActionError) {
            try await declare()
            let endpoint = try await ready(name, launch: launch)
            // As declared now: with the deployments Serve named, so an adoption declares them.
            let current = members[name] ?? member
            return slots.map { slot in
                Replica(revision: launch.revision, index: slot, endpoint: endpoint, log: "Ray Serve application \(name) on \(client.address)",
                        startedAt: now, handle: ServeSlot(application: name, slot: slot, declaredAt: current.declaredAt, declared: current.application).handle)
            }
        } catch {
            await withdraw([name: added], declaredAt: [name: member.declaredAt])
            throw error
        }
    }

    /// Takes the replicas' slots out of their applications; an application without slots is
    /// removed. A slot of an application since declared anew (of the same name) is not its.
    package func stop(_ replicas: [Replica]) async {
        var slots: [String: Set<Int>] = [:]
        var declaredAt: [String: Date] = [:]
        for replica in replicas {
            guard let slot = ServeSlot(replica.handle) else { continue }
            slots[slot.application, default: []].insert(slot.slot)
            declaredAt[slot.application] = slot.declaredAt
        }
        await withdraw(slots, declaredAt: declaredAt)
    }

    /// Removes slots from the applications declared at the given times, and declares the
    /// set — in a task of its own, so a cancelled caller still leaves nothing running.
    private func withdraw(_ slots: [String: Set<Int>], declaredAt: [String: Date]) async {
        var changed = false
        for (name, taken) in slots {
            guard var member = members[name], member.declaredAt == declaredAt[name], !taken.isDisjoint(with: member.slots) else { continue }
            changed = true
            member.slots.subtract(taken)
            if member.slots.isEmpty {
                members[name] = nil
            } else {
                if case .replicas = member.scale { member.rescale(nil) }
                members[name] = member
            }
        }
        guard changed else { return }
        await Task { await self.declareOrRetryLater() }.value
    }

    /// Declares the set; when Ray does not take it, the next probe sends it again.
    private func declareOrRetryLater() async {
        do throws(ActionError) {
            try await declare()
        } catch {
            logger.error("cannot declare the Serve applications; the next probe tries again", metadata: ["error": "\(error.message)"])
        }
    }

    /// Each replica's health from Serve's status, read now: its application running is
    /// ready; deploying or unhealthy (Ray replacing a replica) is not ready but routed;
    /// gone or failed to deploy is exited. When Ray does not answer, nothing is exited.
    package func probe(_ replicas: [Replica]) async -> [Replica.ID: ReplicaHealth] {
        if undeclared { await declareOrRetryLater() }
        guard !replicas.isEmpty else { return [:] }
        let status: ServeStatus
        do throws(RayError) {
            status = try await readStatus()
        } catch {
            return Dictionary(replicas.map { ($0.id, .notReady("Ray does not answer: \(error)")) }, uniquingKeysWith: { first, _ in first })
        }
        var health: [Replica.ID: ReplicaHealth] = [:]
        for replica in replicas {
            health[replica.id] = Self.health(of: replica, in: status)
        }
        forgetGone(replicas, health)
        return health
    }

    /// The replicas whose application is gone or failed, from a status at most a second old.
    package func exited(_ replicas: [Replica]) async -> Set<Replica.ID> {
        guard !replicas.isEmpty else { return [] }
        let status: ServeStatus
        if let recent = recentStatus, clock.now().timeIntervalSince(recent.readAt) < 1 {
            status = recent.status
        } else {
            do throws(RayError) {
                status = try await readStatus()
            } catch {
                return []
            }
        }
        var health: [Replica.ID: ReplicaHealth] = [:]
        for replica in replicas { health[replica.id] = Self.health(of: replica, in: status) }
        forgetGone(replicas, health)
        return Set(health.compactMap { id, health in if case .exited = health { id } else { nil } })
    }

    /// After a restart: the known replicas' applications that Serve still runs become the
    /// set, declared as they were (Serve keeps them running), and every other application
    /// is removed; one Serve no longer runs is left out, so its replicas are exited and Core
    /// serves them again. With Ray unreachable, the set is declared at the first probe.
    package func adopt(_ replicas: [Replica]) async {
        members = [:]
        let running: Set<String>?
        do throws(RayError) {
            running = Set(try await readStatus().applications.keys)
        } catch {
            running = nil
        }
        for replica in replicas {
            guard let slot = ServeSlot(replica.handle), running?.contains(slot.application) ?? true else { continue }
            var member = members[slot.application]
                ?? Member(application: slot.declared, slots: [], declaredAt: slot.declaredAt, scale: slot.declared.deployments.first?.scale ?? .replicas(1))
            member.slots.insert(slot.slot)
            members[slot.application] = member
        }
        for (name, member) in members {
            guard case .replicas = member.scale else { continue }
            members[name]?.rescale(nil)
        }
        guard let running else {
            undeclared = true
            return
        }
        // Nothing of Sextant's on the cluster and nothing to keep: Serve is left as it is.
        guard !members.isEmpty || running.contains(where: { $0.hasPrefix(ServeNaming.prefix) }) else { return }
        await declareOrRetryLater()
    }

    // MARK: - Private servers

    package func startPrivate(_ launch: ServingLaunch, workspace: Workspace?, role: String, at now: Date) async throws(ActionError) -> PrivateServer {
        let replica = try await start(launch, workspace: workspace, slots: [0], role: role, at: now)[0]
        return PrivateServer(endpoint: replica.endpoint, handle: replica.handle)
    }

    package func stopPrivate(_ server: PrivateServer) async {
        await stop([Replica(revision: 0, index: 0, endpoint: server.endpoint, log: "", startedAt: Date(timeIntervalSince1970: 0), handle: server.handle)])
    }

    // MARK: - Steps

    /// What a replica of Sextant's own deployment reserves: a built-in model answers in
    /// microseconds, and a whole CPU each (Ray's default) would leave a 2-CPU node no room
    /// for a canary beside two stable replicas.
    static let builtinCPUs = 0.1

    /// The application of a revision's server: its files staged and uploaded as the working directory.
    private func build(_ launch: ServingLaunch, workspace: Workspace?, name: String, role: String) async throws(ActionError) -> ServeApplication {
        var environment = [
            "SEXTANT_MODEL_DIR": "model", "SEXTANT_MODEL_NAME": launch.model, "SEXTANT_MODEL_VERSION": String(launch.version),
        ]
        let importPath: String
        var deployments: [ServeDeployment] = []
        switch launch.runtime {
        case .builtin:
            importPath = RayServePackage.importPath
            deployments = [ServeDeployment(name: RayServePackage.deploymentName, scale: .replicas(1), cpusPerReplica: Self.builtinCPUs)]
        case .rayServe(let path, let env, _):
            importPath = path
            for (name, value) in env { environment[name] = ServingSpec.substitute(value, environment) }
        case .command:
            throw ActionError("r\(launch.revision) of \(launch.model) runs a serving command (serving.runtime: command), which the Ray runtime cannot run: "
                              + "serve it with runtime rayServe (a Ray Serve application) or builtin", reason: "RuntimeUnsupported")
        }
        let directory = try await files.stage(launch, workspace: workspace, role: role, index: 0)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if case .builtin = launch.runtime {
            do {
                try RayServePackage.write(into: URL(fileURLWithPath: directory))
            } catch {
                throw ActionError("cannot write Sextant's Serve deployment into \(directory): \(error)")
            }
        }
        let package: RayPackage = try await offPool { () throws(ActionError) -> RayPackage in
            do throws(RayPackageError) {
                return try RayPackage(directory: directory)
            } catch {
                throw ActionError(error.description)
            }
        }
        do {
            try await client.upload(package)
        } catch {
            throw ActionError("cannot upload \(directory) to Ray: \(error)")
        }
        return ServeApplication(name: name, routePrefix: ServeNaming.routePrefix(model: launch.model, revision: launch.revision, role: role),
                                importPath: importPath, runtimeEnv: RayRuntimeEnv(workingDir: package.uri, envVars: environment),
                                deployments: deployments)
    }

    /// Sends the whole set.
    private func declare() async throws(ActionError) {
        let declaration = ServeDeclaration(httpOptions: proxy, applications: members.values.map(\.application).sorted { $0.name < $1.name })
        generation += 1
        recentStatus = nil
        do {
            try await client.declare(declaration)
        } catch {
            undeclared = true
            throw ActionError("Ray Serve refused the applications: \(error)")
        }
        undeclared = false
    }

    /// Waits until Serve runs the application with all its replicas and its URL answers;
    /// returns the URL. Its user deployments get the slots' scale once Serve names them.
    private func ready(_ name: String, launch: ServingLaunch) async throws(ActionError) -> String {
        let deadline = clock.deadline(after: readinessTimeout)
        var problem = "Serve has not reported it yet"
        while clock.now() < deadline {
            if Task.isCancelled { throw ActionError("cancelled while Ray Serve deployed \(name)") }
            let status: ServeStatus?
            do throws(RayError) {
                status = try await readStatus()
            } catch {
                status = nil
                problem = "Ray does not answer: \(error)"
            }
            if let status, let application = status.applications[name], let member = members[name] {
                switch application.status {
                case .deployFailed:
                    throw ActionError("Ray Serve could not deploy \(name): \(application.message)", reason: "ServerFailed")
                case .running where try await scaleUserDeployments(name, member: member, status: application):
                    let endpoint = ServeNaming.endpoint(status.httpOptions ?? proxy, routePrefix: member.application.routePrefix)
                    guard let answer = await Self.readiness(endpoint, model: launch.model) else { return endpoint }
                    problem = answer
                default:
                    problem = "\(name) is \(application.status)" + (application.message.isEmpty ? "" : ": \(application.message)")
                }
            }
            try? await clock.sleep(for: pollInterval)
        }
        throw ActionError("Ray Serve did not run \(name) within \(Int(readinessTimeout.seconds))s: \(problem)", reason: "ServerNotReady")
    }

    /// For a user's application, whose deployments Sextant learns from Serve: declares the
    /// scale on each of them once they are known. True when every deployment runs the
    /// replicas it should.
    private func scaleUserDeployments(_ name: String, member: Member, status: ServeApplicationStatus) async throws(ActionError) -> Bool {
        let scale = member.scale
        let known = Set(member.application.deployments.map(\.name))
        let running = Set(status.deployments.keys)
        if known != running, !running.isEmpty {
            var member = member
            member.application.deployments = running.sorted().map { ServeDeployment(name: $0, scale: scale) }
            members[name] = member
            try await declare()
            return false
        }
        guard case .replicas(let count) = scale else { return true }
        return status.deployments.values.allSatisfy { deployment in
            deployment.replicas.filter { $0.state == .running }.count >= count
        }
    }

    /// Serve's status as of after the last declaration: a read that a declaration overtook
    /// (it may not show what was just declared) is read again.
    private func readStatus() async throws(RayError) -> ServeStatus {
        while true {
            let asked = generation
            let status = try await client.serveStatus()
            guard asked != generation else {
                recentStatus = (status, clock.now())
                return status
            }
        }
    }

    /// Forgets the applications found gone, so they are not declared again.
    private func forgetGone(_ replicas: [Replica], _ health: [Replica.ID: ReplicaHealth]) {
        for replica in replicas {
            guard case .exited? = health[replica.id], let slot = ServeSlot(replica.handle), members[slot.application]?.declaredAt == slot.declaredAt else { continue }
            members[slot.application] = nil
        }
    }

    static func health(of replica: Replica, in status: ServeStatus) -> ReplicaHealth {
        guard let slot = ServeSlot(replica.handle) else { return .exited("not a replica of the Ray runtime (\(replica.id))") }
        guard let application = status.applications[slot.application] else {
            return .exited("Ray Serve has no application \(slot.application) any more (removed, or the cluster restarted)")
        }
        switch application.status {
        case .running: return .ready
        case .deployFailed: return .exited("Ray Serve could not deploy \(slot.application): \(application.message)")
        default: return .notReady("\(slot.application) is \(application.status)" + (application.message.isEmpty ? "" : ": \(application.message)"))
        }
    }

    /// Why the URL does not answer ready for the model; nil when it does.
    static func readiness(_ endpoint: String, model: String) async -> String? {
        await ServeReadiness.problem(endpoint + "/v2/models/\(model)/ready")
    }
}
