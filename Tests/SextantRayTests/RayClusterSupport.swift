import SextantRay
import SextantTestSupport
import Testing

extension RayCluster {
    /// A client of the suite's cluster (`.rayCluster`).
    static func client() throws -> RayClient {
        RayClient(address: try #require(RayCluster.current, "the suite runs without .rayCluster").dashboardURL, timeout: .seconds(60))
    }
}

extension RayClient {
    /// Polls a job until it ends (jobs start in 1–10 s on a loaded machine).
    func finished(_ submissionID: String, timeout: Duration = .seconds(180)) async throws -> RayJob {
        var last: RayJob?
        _ = try await eventually(timeout: timeout) {
            last = try await job(submissionID)
            return last?.status.isTerminal ?? false
        }
        return try #require(last, "Ray knows no job \(submissionID)")
    }
}
