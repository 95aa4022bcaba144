import Foundation
import SextantRay
import SextantTestSupport
import Testing

/// Jobs against a real single-node Ray: submitted with an uploaded working directory,
/// polled to their end, their logs, a second submission, stop and failure.
@Suite(.enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .timeLimit(.minutes(10)))
struct RayJobTests {
    @Test("a job in an uploaded working_dir goes from PENDING to SUCCEEDED; its output is in its logs, its env vars arrived")
    func succeeds() async throws {
        let client = try RayCluster.client()
        let work = try TemporaryDirectory()
        try work.write("job.py", """
            import os
            print("job says", os.environ["SEXTANT_TEST_VALUE"])
            open("written.txt", "w").write("done")
            print("wrote", sorted(os.listdir(".")))
            """)
        let package = try RayPackage(directory: work.path)
        try await client.upload(package)
        let id = "sextant-test-\(UUID().uuidString.prefix(8))"
        let outcome = try await client.submit(RayJobSubmission(
            submissionID: id, entrypoint: "python job.py",
            runtimeEnv: RayRuntimeEnv(workingDir: package.uri, envVars: ["SEXTANT_TEST_VALUE": "from-sextant"])))
        #expect(outcome == .submitted)
        let early = try #require(try await client.job(id))
        #expect([.pending, .running, .succeeded].contains(early.status))
        #expect(early.entrypoint == "python job.py")
        let job = try await client.finished(id)
        #expect(job.status == .succeeded, "\(job.message ?? "")")
        #expect(job.driverExitCode == 0)
        let start = try #require(job.startTime), end = try #require(job.endTime)
        #expect(start <= end)
        let logs = try await client.logs(id)
        #expect(logs.contains("job says from-sextant"))
        #expect(logs.contains("wrote ['job.py', 'written.txt']"))
    }

    @Test("a second submission with the same id is recognised as existing and starts nothing")
    func alreadyExists() async throws {
        let client = try RayCluster.client()
        let id = "sextant-test-\(UUID().uuidString.prefix(8))"
        #expect(try await client.submit(RayJobSubmission(submissionID: id, entrypoint: "echo first")) == .submitted)
        #expect(try await client.submit(RayJobSubmission(submissionID: id, entrypoint: "echo second")) == .alreadyExists)
        let job = try await client.finished(id)
        #expect(job.entrypoint == "echo first")
        #expect(job.status == .succeeded)
        let logs = try await client.logs(id)
        #expect(logs.contains("first") && !logs.contains("second"))
    }

    @Test("stop ends a sleeping job: STOPPED")
    func stops() async throws {
        let client = try RayCluster.client()
        let id = "sextant-test-\(UUID().uuidString.prefix(8))"
        try await client.submit(RayJobSubmission(submissionID: id, entrypoint: "echo sleeping; sleep 600"))
        #expect(try await eventually(timeout: .seconds(180)) { try await client.job(id)?.status == .running })
        #expect(try await client.stop(id))
        let job = try await client.finished(id, timeout: .seconds(60))
        #expect(job.status == .stopped)
        // A second stop is harmless. Its answer is Ray's race (true while the job's supervisor
        // actor is still being torn down, false after), so only "no error, still STOPPED" is ours.
        _ = try await client.stop(id)
        #expect(try await client.job(id)?.status == .stopped)
    }

    @Test("a failing entrypoint is FAILED, with Ray's message and the exit code")
    func fails() async throws {
        let client = try RayCluster.client()
        let id = "sextant-test-\(UUID().uuidString.prefix(8))"
        try await client.submit(RayJobSubmission(submissionID: id, entrypoint: "echo about to fail; exit 3"))
        let job = try await client.finished(id)
        #expect(job.status == .failed)
        #expect(job.driverExitCode == 3)
        #expect(job.message?.contains("exit code 3") == true, "\(job.message ?? "no message")")
        #expect(try await client.logs(id).contains("about to fail"))
    }

    @Test("an unknown job: nil, and its logs an error naming the call and Ray's text")
    func unknown() async throws {
        let client = try RayCluster.client()
        #expect(try await client.job("sextant-no-such-job") == nil)
        let error = await #expect(throws: RayError.self) { try await client.logs("sextant-no-such-job") }
        #expect(error?.status == 404)
        #expect(error?.description.hasSuffix("/api/jobs/sextant-no-such-job/logs: HTTP 404: Job sextant-no-such-job does not exist") == true)
    }
}
