import Foundation
import NIOHTTP1

extension RayClient {
    /// What came of a submission.
    public enum SubmitOutcome: Equatable, Sendable {
        case submitted
        /// A job with this submission id exists already (submitted by an earlier run of the
        /// caller): nothing new was started; `job(_:)` tells its state.
        case alreadyExists
    }

    /// `POST /api/jobs/`. A second submission with the same id is refused by Ray ("Job with
    /// submission_id … already exists", HTTP 500 since 2.x relays its agent's 400): that
    /// answer is `.alreadyExists`, not an error.
    @discardableResult
    public func submit(_ submission: RayJobSubmission) async throws(RayError) -> SubmitOutcome {
        let answer = try await send(.POST, "/api/jobs/", body: try encoded(submission, .POST, "/api/jobs/"))
        if answer.isSuccess { return .submitted }
        if answer.rayText.contains("submission_id \(submission.submissionID) already exists") { return .alreadyExists }
        throw failure(answer)
    }

    /// `GET /api/jobs/{id}`; nil when Ray knows no such job.
    public func job(_ submissionID: String) async throws(RayError) -> RayJob? {
        let answer = try await send(.GET, "/api/jobs/\(escaped(submissionID))")
        if answer.status == 404 { return nil }
        guard answer.isSuccess else { throw failure(answer) }
        return try decoded(answer)
    }

    /// `GET /api/jobs/{id}/logs`: the entrypoint's output so far (stdout and stderr, with Ray's own lines).
    public func logs(_ submissionID: String) async throws(RayError) -> String {
        try await call(.GET, "/api/jobs/\(escaped(submissionID))/logs", as: Logs.self).logs
    }

    /// `POST /api/jobs/{id}/stop`: true when the job was running and is being stopped,
    /// false when it had ended already.
    @discardableResult
    public func stop(_ submissionID: String) async throws(RayError) -> Bool {
        try await call(.POST, "/api/jobs/\(escaped(submissionID))/stop", as: Stopped.self).stopped
    }

    private struct Logs: Decodable {
        let logs: String
    }

    private struct Stopped: Decodable {
        let stopped: Bool
    }

    /// A submission id as one path segment.
    private func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? segment
    }
}

extension RayClient {
    /// `GET /api/jobs/`: every job the cluster knows, in Ray's order.
    public func jobs() async throws(RayError) -> [RayJob] {
        try await call(.GET, "/api/jobs/", as: [RayJob].self)
    }
}
