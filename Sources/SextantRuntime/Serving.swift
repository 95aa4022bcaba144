import Logging
import AsyncHTTPClient
package import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
package import SextantCore
import SextantWire

extension EmbeddedRuntime {
    package func startReplicas(_ launch: ServingLaunch, workspace: Workspace?, indices: [Int], at now: Date) async throws(ActionError) -> [Replica] {
        var started: [Replica] = []
        for index in indices {
            do throws(ActionError) {
                started.append(try await startServer(launch, workspace: workspace, role: "replica", index: index, at: now).replica)
            } catch {
                await stopReplicas(started)
                throw error
            }
        }
        return started
    }

    package func stopReplicas(_ replicas: [Replica]) async {
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas {
                guard let process = LocalProcess(replica.handle) else { continue }
                group.addTask {
                    await processes.stop(process.identity, grace: stopGrace)
                }
            }
        }
    }

    package func probeReplicas(_ replicas: [Replica]) async -> [Replica.ID: ReplicaHealth] {
        var health: [Replica.ID: ReplicaHealth] = [:]
        for replica in replicas {
            guard let process = LocalProcess(replica.handle) else {
                health[replica.id] = .exited("not a process of the embedded runtime (\(replica.id))")
                continue
            }
            guard process.isAlive else {
                await stopLeftovers(of: process)
                let status = ProcessTable.exitStatus(of: process.pid).map { "exited with status \($0)" } ?? "is gone"
                health[replica.id] = .exited("pid \(process.pid) \(status); log \(replica.log):\n\(logTail(replica.log, lines: 5))")
                continue
            }
            // The model's readiness is asked at start; here, whether the server still answers.
            health[replica.id] = await Readiness.problem(port: process.port, model: nil, timeout: .seconds(2)).map(ReplicaHealth.notReady) ?? .ready
        }
        return health
    }

    package func exitedReplicas(_ replicas: [Replica]) async -> Set<Replica.ID> {
        var exited: Set<Replica.ID> = []
        for replica in replicas {
            guard let process = LocalProcess(replica.handle) else {
                exited.insert(replica.id)
                continue
            }
            guard !process.isAlive else { continue }
            await stopLeftovers(of: process)
            exited.insert(replica.id)
        }
        return exited
    }

    package func resourceUsage(_ replicas: [Replica]) async -> [Replica.ID: ResourceUsage]? {
        let processes = replicas.compactMap { replica in LocalProcess(replica.handle).map { (id: replica.id, identity: $0.identity) } }
        guard !processes.isEmpty else { return [:] }
        let usage = await offPool { ProcessIdentity.groupUsage(processes.map(\.identity)) }
        var byReplica: [Replica.ID: ResourceUsage] = [:]
        for process in processes { byReplica[process.id] = usage[process.identity] }
        return byReplica
    }

    /// A server whose process exited leaves nothing running: what it started is stopped.
    private func stopLeftovers(of process: LocalProcess) async {
        guard !process.identity.leftovers.isEmpty else { return }
        logger.notice("stopping what an exited server left running", metadata: ["pid": "\(process.pid)"])
        await processes.stop(process.identity, grace: stopGrace)
    }

    package func reapOrphans(keeping replicas: [Replica], gateway: GatewayProcess?) async {
        var known = Set(replicas.compactMap { LocalProcess($0.handle)?.identity })
        if let gateway, let process = LocalProcess(gateway.handle) { known.insert(process.identity) }
        for (identity, role) in processes.live() where !known.contains(identity) {
            logger.notice("stopping an orphaned process", metadata: ["pid": "\(identity.pid)", "role": "\(role)"])
            await processes.stop(identity, grace: stopGrace)
        }
    }

    /// Stops every process of the state directory (`sextant down`); returns how many.
    package func stopAll() async -> Int {
        let live = processes.live()
        await withTaskGroup(of: Void.self) { group in
            for (identity, _) in live {
                group.addTask { await processes.stop(identity, grace: stopGrace) }
            }
        }
        return live.count
    }

    /// Starts one server of a revision on a free loopback port and waits until it is
    /// ready; a server that exits or never gets ready is stopped, with its log's tail.
    func startServer(_ launch: ServingLaunch, workspace: Workspace?, role: String, index: Int,
                     at now: Date) async throws(ActionError) -> (replica: Replica, process: LocalProcess) {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory") }
        let servers = "\(state)/servers/\(launch.model)"
        let log = "\(servers)/r\(launch.revision)-\(role)-\(index).log"
        let modelDirectory = state + "/" + launch.modelDirectory
        guard let port = freeLoopbackPort(), let aux1 = freeLoopbackPort(), let aux2 = freeLoopbackPort() else {
            throw ActionError("no free loopback port")
        }
        var environment = [
            "PATH": inheritedPath, "LANG": "C.UTF-8",
            "SEXTANT_MODEL_DIR": modelDirectory, "SEXTANT_MODEL_NAME": launch.model, "SEXTANT_MODEL_VERSION": String(launch.version),
            "SEXTANT_PORT": String(port), "SEXTANT_PORT_AUX1": String(aux1), "SEXTANT_PORT_AUX2": String(aux2),
        ]
        let command: [String]
        let directory: String
        switch launch.runtime {
        case .builtin:
            directory = servers
            environment["HOME"] = servers
            environment[Self.quickCrash.name] = Self.quickCrash.value
            command = [executable, "serve-model", "--artifact", modelDirectory, "--name", launch.model, "--version", String(launch.version),
                       "--port", String(port)] + (maxRequestBytes.map { ["--max-request-bytes", String($0)] } ?? [])
        case .command(let serving, let env, let commit):
            let instance = try await prepareInstance(launch, commit: commit, workspace: workspace, role: role, index: index, state: state)
            directory = instance.directory
            environment["SEXTANT_MODEL_DIR"] = instance.modelDirectory
            environment["HOME"] = directory
            for (name, value) in env { environment[name] = ServingSpec.substitute(value, environment) }
            command = sandbox?.wrap(serving) ?? serving
        case .rayServe:
            throw ActionError("r\(launch.revision) of \(launch.model) is a Ray Serve application (serving.runtime: rayServe), which only the Ray runtime "
                              + "serves: run sextant with --runtime ray --ray-address URL, or serve it with runtime builtin or command", reason: "RuntimeUnsupported")
        }
        do {
            try FileManager.default.createDirectory(atPath: servers, withIntermediateDirectories: true)
        } catch {
            throw ActionError("cannot create \(servers): \(error.localizedDescription)")
        }
        let identity: ProcessIdentity
        do throws(SpawnError) {
            identity = try processes.spawn(command, directory: directory, environment: environment, log: log, role: "\(launch.model) r\(launch.revision) \(role)")
        } catch {
            throw ActionError(error.message, reason: "ServerFailed")
        }
        let deadline = clock.deadline(after: readinessTimeout)
        let builtin = if case .builtin = launch.runtime { true } else { false }
        var problem = "GET http://127.0.0.1:\(port)/v2/health/ready got no answer"
        while clock.now() < deadline, !Task.isCancelled {
            guard identity.isAlive else {
                let status = ProcessTable.exitStatus(of: identity.pid).map { " with status \($0)" } ?? ""
                await processes.stop(identity, grace: stopGrace)  // what it started, if anything
                throw ActionError("the server of r\(launch.revision) (\(command.joined(separator: " "))) exited\(status) before it was ready; log \(log):\n\(logTail(log))", reason: "ServerExited")
            }
            // Ready for the model, and still ours: a port race makes the server exit, but the
            // program that won the race may answer readiness meanwhile. The built-in server
            // listens itself, so its process group must hold the port (a serving command may
            // hand its listener to a process outside its group, e.g. a container engine).
            let answer = await Readiness.problem(port: port, model: launch.model, timeout: .seconds(1))
            if answer == nil, identity.isAlive {
                guard builtin, PortListeners.group(identity.pid, listensOn: port) == false else {
                    let process = LocalProcess(identity, port: port, command: command)
                    return (Replica(revision: launch.revision, index: index, endpoint: process.endpoint, log: log, startedAt: now, handle: try process.handle()), process)
                }
                problem = "another program answers on 127.0.0.1:\(port), the port chosen for this server"
            } else {
                problem = answer ?? problem
            }
            try? await clock.sleep(for: .milliseconds(100))
        }
        await processes.stop(identity, grace: stopGrace)
        throw ActionError("the server of r\(launch.revision) (\(command.joined(separator: " "))) was not ready for \(launch.model) within \(describe(readinessTimeout)): "
            + "\(problem); log \(log):\n\(logTail(log))", reason: "ServerNotReady")
    }

    /// For Sextant's own data-plane processes (the gateway, `serve-model`): a fault ends the
    /// process at once with the runtime's short, unsymbolicated stack trace in its log,
    /// instead of the backtracer's full symbolication — 4 to 10 seconds on this binary,
    /// during which the process holds its port and answers nothing, and the supervisor
    /// cannot replace it.
    static let quickCrash = (name: "SWIFT_BACKTRACE", value: "enable=no")
}
