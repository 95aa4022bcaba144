import SextantCore
import SextantWire

/// The embedded runtime's process behind a replica or the gateway the store records, for
/// the tests that signal it or call its port directly.
extension Replica {
    var process: LocalProcess {
        guard let process = handle.data(as: LocalProcess.self) else { preconditionFailure("replica \(id) has no local process in its handle") }
        return process
    }

    var pid: Int32 { process.pid }
    var port: Int { process.port }
    var command: [String] { process.command }
}

extension GatewayProcess {
    var process: LocalProcess {
        guard let process = handle.data(as: LocalProcess.self) else { preconditionFailure("the gateway's handle \(handle.id) has no local process") }
        return process
    }

    var pid: Int32 { process.pid }
    var command: [String] { process.command }
}
