package import Foundation

/// Where an external trainer runs once its run directory is prepared (DESIGN §12): the
/// embedded runtime runs it as a local process unless a host is given, as the Ray runtime
/// gives one that runs it as a Ray Job.
package protocol TrainerHost: Sendable {
    /// Runs `command` for `job` in a copy of `run.directory` and leaves the trainer's output
    /// in `run.destination`. Failures of the trainer carry a `reason`; failures of the host
    /// do not, so they are retried.
    func train(_ job: TrainingJob, command: [String], run: TrainerRun) async throws(ActionError)
}

/// Where one external training runs and what it leaves.
package struct TrainerRun: Sendable, Hashable {
    /// The watched root's files at the commit, `.sextant/train.csv` and `.sextant/eval.csv`.
    package var directory: String
    /// Where the trainer's log is kept: outside `directory`.
    package var log: String
    /// The version's model directory, replaced by the trainer's output.
    package var destination: String

    package init(directory: String, log: String, destination: String) {
        self.directory = directory
        self.log = log
        self.destination = destination
    }
}

/// Where evaluation's private servers run (DESIGN §5 "evaluation through the serving
/// path"): the embedded runtime starts local processes unless given this, as the Ray
/// runtime gives a private Serve application per server.
package protocol PrivateServing: Sendable {
    /// Starts a private server of `launch` and returns once it is ready.
    func startPrivate(_ launch: ServingLaunch, workspace: Workspace?, role: String, at now: Date) async throws(ActionError) -> PrivateServer
    /// Stops it; nothing of it stays.
    func stopPrivate(_ server: PrivateServer) async
}

/// A private server: where it answers OIP v2, and the runtime's handle on it.
package struct PrivateServer: Sendable, Hashable {
    /// `http://HOST:PORT`, or with a path prefix the requests' paths start with.
    package var endpoint: String
    package var handle: RuntimeHandle

    package init(endpoint: String, handle: RuntimeHandle) {
        self.endpoint = endpoint
        self.handle = handle
    }
}

/// Writes the files a revision's server runs among into a directory of their own, for a
/// runtime whose servers run elsewhere (DESIGN §12): the watched root's files at the
/// revision's commit (for a server of the repository's code) and the version's model files
/// under `model/`.
package protocol ServerFiles: Sendable {
    /// Returns the directory: made afresh, never shared with another server.
    func stage(_ launch: ServingLaunch, workspace: Workspace?, role: String, index: Int) async throws(ActionError) -> String
}
