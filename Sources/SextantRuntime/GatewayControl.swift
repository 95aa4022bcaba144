#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
package import Foundation
import Logging
import NIOCore
import NIOHTTP1
package import SextantCore
package import SextantWire

/// The gateway as the daemon sees it: a detached `sextant gateway` process, adopted when
/// it still runs, told its routes and asked for its counters on the loopback admin
/// endpoint with the state directory's token (DESIGN §1 "Data plane").
extension EmbeddedRuntime {
    package func ensureGateway(_ known: GatewayProcess?, address: GatewayAddress, at now: Date) async throws(ActionError) -> GatewayProcess {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory") }
        if let known, let process = LocalProcess(known.handle) {
            if process.isAlive, known.address == address, await gatewayStatistics(known) != nil {
                return known
            }
            // Moved to another address, or alive but deaf: replace it.
            await processes.stop(process.identity, grace: .seconds(2))
        }
        if let problem = PortAvailability.problem(host: address.host, port: address.port) {
            // Nothing to start: a gateway there could not listen (and a client would reach the other process).
            throw ActionError(problem.message(flag: "--gateway", address: address.description))
        }
        _ = try Self.gatewayToken(in: state)  // made before the gateway reads it
        guard let adminPort = freeLoopbackPort() else { throw ActionError("no free loopback port for the gateway's admin endpoint") }
        let listen = address.description
        let command = [executable, "gateway", "--state-dir", state, "--listen", listen, "--admin-port", String(adminPort)]
            + (maxRequestBytes.map { ["--max-request-bytes", String($0)] } ?? [])
        let log = state + "/gateway.log"
        let identity: ProcessIdentity
        do throws(SpawnError) {
            identity = try processes.spawn(command, directory: state, environment: ["PATH": inheritedPath, "LANG": "C.UTF-8", "HOME": state, Self.quickCrash.name: Self.quickCrash.value],
                                           log: log, role: "gateway")
        } catch {
            throw ActionError("cannot start the gateway: \(error.message)")
        }
        let process = LocalProcess(identity, port: adminPort, command: command)
        let gateway = GatewayProcess(address: address, adminEndpoint: process.endpoint, log: log, startedAt: now, handle: try process.handle())
        let deadline = clock.deadline(after: .seconds(20))
        while clock.now() < deadline {
            guard identity.isAlive else {
                await processes.stop(identity, grace: .seconds(2))  // what it started, if anything
                throw ActionError("the gateway exited before it was ready (\(listen)); log \(log):\n\(logTail(log, lines: 5))")
            }
            if await gatewayStatistics(gateway) != nil { return gateway }
            try? await clock.sleep(for: .milliseconds(20))
        }
        await processes.stop(identity, grace: .seconds(2))
        throw ActionError("the gateway did not answer on its admin port 127.0.0.1:\(adminPort) within 20 s; log \(log):\n\(logTail(log, lines: 5))")
    }

    package func gatewayIsAlive(_ gateway: GatewayProcess) async -> Bool {
        Self.runs(gateway)
    }

    /// Whether this state directory's recorded gateway still runs on `address`: it holds
    /// the port legitimately (the next pass adopts it), so the port is not "taken".
    package static func gatewayHolds(_ address: GatewayAddress, recorded gateway: GatewayProcess?) -> Bool {
        guard let gateway, gateway.address == address else { return false }
        return runs(gateway)
    }

    /// Whether the recorded gateway process still runs (the same pid and start time).
    package static func runs(_ gateway: GatewayProcess) -> Bool {
        LocalProcess(gateway.handle)?.isAlive ?? false
    }

    package func pushRoutes(_ table: RoutingTable, to gateway: GatewayProcess) async throws(ActionError) {
        guard let state = stateDirectory else { throw ActionError("this runtime has no state directory") }
        let token = try Self.gatewayToken(in: state)
        var request = HTTPClientRequest(url: "\(gateway.adminEndpoint)/admin/v1/routes")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(table)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                throw ActionError("the gateway refused routing table generation \(table.generation): HTTP \(response.status.code) \(String(buffer: body))")
            }
        } catch let error as ActionError {
            throw error
        } catch {
            throw ActionError("cannot reach the gateway's admin endpoint \(gateway.adminEndpoint): \(error)")
        }
    }

    package func gatewayStatistics(_ gateway: GatewayProcess) async -> GatewayStatistics? {
        guard let state = stateDirectory, let token = try? Self.gatewayToken(in: state) else { return nil }
        var request = HTTPClientRequest(url: "\(gateway.adminEndpoint)/admin/v1/stats")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(2))
            let body = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else { return nil }
            return try JSONDecoder().decode(GatewayStatistics.self, from: Data(body.readableBytesView))
        } catch {
            return nil
        }
    }

    /// The admin endpoint's token: `STATE/gateway.token`, made once (mode 0600). The
    /// gateway reads it at start; it never appears in a command line or an environment.
    package static func gatewayToken(in state: String) throws(ActionError) -> String {
        let path = state + "/gateway.token"
        if let data = FileManager.default.contents(atPath: path), let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           !token.isEmpty {
            return token
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            // Another process made it first: read theirs.
            if let data = FileManager.default.contents(atPath: path), let existing = String(data: data, encoding: .utf8), !existing.isEmpty {
                return existing.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            throw ActionError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(token.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw ActionError("cannot write \(path)") }
        return token
    }
}
