public import Foundation

/// What `POST /api/jobs/` is given (Ray 2.60's `JobSubmitRequest`): the command, the
/// submission id that names the job, its runtime environment and the resources the
/// entrypoint itself reserves. Fields left nil are not sent.
public struct RayJobSubmission: Encodable, Equatable, Sendable {
    /// Chosen by the caller so a restarted caller finds its job (Sextant derives it from the action's fingerprint).
    public var submissionID: String
    /// A shell command, run in the working directory.
    public var entrypoint: String
    public var runtimeEnv: RayRuntimeEnv
    public var entrypointNumCPUs: Double?
    public var entrypointNumGPUs: Double?
    /// Bytes of memory reserved for the entrypoint.
    public var entrypointMemory: Int?
    public var metadata: [String: String]?

    public init(submissionID: String, entrypoint: String, runtimeEnv: RayRuntimeEnv = RayRuntimeEnv(),
                entrypointNumCPUs: Double? = nil, entrypointNumGPUs: Double? = nil, entrypointMemory: Int? = nil,
                metadata: [String: String]? = nil) {
        self.submissionID = submissionID
        self.entrypoint = entrypoint
        self.runtimeEnv = runtimeEnv
        self.entrypointNumCPUs = entrypointNumCPUs
        self.entrypointNumGPUs = entrypointNumGPUs
        self.entrypointMemory = entrypointMemory
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case submissionID = "submission_id"
        case entrypoint
        case runtimeEnv = "runtime_env"
        case entrypointNumCPUs = "entrypoint_num_cpus"
        case entrypointNumGPUs = "entrypoint_num_gpus"
        case entrypointMemory = "entrypoint_memory"
        case metadata
    }
}

/// The part of a Ray `runtime_env` Sextant uses: the working directory (a package URI from
/// `RayClient.upload`) and environment variables.
public struct RayRuntimeEnv: Codable, Hashable, Sendable {
    /// `gcs://_ray_pkg_….zip`
    public var workingDir: String?
    public var envVars: [String: String]?

    public init(workingDir: String? = nil, envVars: [String: String]? = nil) {
        self.workingDir = workingDir
        self.envVars = envVars
    }

    enum CodingKeys: String, CodingKey {
        case workingDir = "working_dir"
        case envVars = "env_vars"
    }
}

/// A job's state in Ray (`ray.job_submission.JobStatus`).
public enum RayJobStatus: String, Codable, Equatable, Sendable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case stopped = "STOPPED"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"

    /// Whether the job can change no more.
    public var isTerminal: Bool {
        switch self {
        case .pending, .running: false
        case .stopped, .succeeded, .failed: true
        }
    }
}

/// A submitted job as `GET /api/jobs/{id}` describes it (the fields Sextant reads of `JobDetails`).
public struct RayJob: Decodable, Equatable, Sendable {
    public let submissionID: String
    public let status: RayJobStatus
    public let entrypoint: String
    /// Ray's words on the status: `Job finished successfully.`, or why it failed.
    public let message: String?
    /// `JOB_SUPERVISOR_ACTOR_START_TIMEOUT`, `JOB_ENTRYPOINT_COMMAND_ERROR`, … when it failed.
    public let errorType: String?
    public let startTime: Date?
    public let endTime: Date?
    public let driverExitCode: Int?

    enum CodingKeys: String, CodingKey {
        case submissionID = "submission_id"
        case status, entrypoint, message
        case errorType = "error_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case driverExitCode = "driver_exit_code"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        submissionID = try container.decode(String.self, forKey: .submissionID)
        status = try container.decode(RayJobStatus.self, forKey: .status)
        entrypoint = try container.decode(String.self, forKey: .entrypoint)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        errorType = try container.decodeIfPresent(String.self, forKey: .errorType)
        // Ray gives milliseconds since the epoch.
        startTime = try container.decodeIfPresent(Double.self, forKey: .startTime).map { Date(timeIntervalSince1970: $0 / 1000) }
        endTime = try container.decodeIfPresent(Double.self, forKey: .endTime).map { Date(timeIntervalSince1970: $0 / 1000) }
        driverExitCode = try container.decodeIfPresent(Int.self, forKey: .driverExitCode)
    }
}
