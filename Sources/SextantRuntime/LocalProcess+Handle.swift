package import SextantCore
package import SextantWire

/// The embedded runtime's handles: a local process (its pid, start time, port and command
/// line), kept by Core as opaque data beside a replica or the gateway.
extension LocalProcess {
    init(_ identity: ProcessIdentity, port: Int, command: [String]) {
        self.init(pid: identity.pid, startTime: identity.startTime, port: port, command: command)
    }

    /// The process this runtime started: nil for a handle of another runtime.
    package init?(_ handle: RuntimeHandle) {
        guard let process = handle.data(as: LocalProcess.self) else { return nil }
        self = process
    }

    var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTime: startTime) }

    /// Whether the very process started still runs (the same pid and start time).
    package var isAlive: Bool { identity.isAlive }

    /// Its handle: the process as data, its pid and port shown in status.
    func handle() throws(ActionError) -> RuntimeHandle {
        do {
            return try RuntimeHandle(id: id, summary: summary, data: self)
        } catch {
            throw ActionError("cannot record the process \(pid) (\(command.joined(separator: " "))): \(error)")
        }
    }
}
