import SextantCore
import SextantRuntime
import SextantStore
import SextantWire

/// The ports a command listens on, checked before it does anything else (fetching,
/// training, starting a process): a taken one ends the command at once with one line
/// naming the flag and the address, exit 2.
enum PortPreflight {
    /// `flag address` (`host:port`) must be free.
    static func requireFree(flag: String, address: String) throws {
        guard let (host, port) = RunCommand.address(address), let problem = PortAvailability.problem(host: host, port: port) else { return }
        throw CommandFailure(message: problem.message(flag: flag, address: address))
    }

    /// `--port N` (on `host`) must be free.
    static func requireFree(flag: String, host: String, port: Int) throws {
        guard let problem = PortAvailability.problem(host: host, port: port) else { return }
        throw CommandFailure(message: problem.message(flag: flag, address: String(port)))
    }

    /// The line for a port taken between the check and the bind.
    static func taken(flag: String, address: String) -> String {
        PortProblem.taken.message(flag: flag, address: address)
    }

    /// `--gateway address` must be free, unless this state directory's own gateway holds
    /// it (started by an earlier pass, adopted by this one).
    static func requireGatewayFree(_ address: String, stateDir: String) throws {
        guard let (host, port) = RunCommand.address(address) else { return }
        let recorded = try? SQLiteStore(readingFrom: stateDir).gateway()
        if EmbeddedRuntime.gatewayHolds(GatewayAddress(host: host, port: port), recorded: recorded) { return }
        try requireFree(flag: "--gateway", address: address)
    }
}
