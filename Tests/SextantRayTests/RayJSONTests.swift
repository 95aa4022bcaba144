import Foundation
import NIOHTTP1
import Testing

@testable import SextantRay

/// What Sextant sends to Ray and reads back, against the JSON of Ray 2.60's schemas.
@Suite struct RayJSONTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let submissions: [(RayJobSubmission, String)] = [
        (RayJobSubmission(submissionID: "sextant-train-1f2e", entrypoint: "python train.py"),
         #"{"entrypoint":"python train.py","runtime_env":{},"submission_id":"sextant-train-1f2e"}"#),
        (RayJobSubmission(submissionID: "s", entrypoint: "sh run.sh",
                          runtimeEnv: RayRuntimeEnv(workingDir: "gcs://_ray_pkg_ab.zip", envVars: ["SEXTANT_RUN": "r1"]),
                          entrypointNumCPUs: 1, entrypointNumGPUs: 0.5, entrypointMemory: 1 << 30, metadata: ["model": "churn"]),
         #"{"entrypoint":"sh run.sh","entrypoint_memory":1073741824,"entrypoint_num_cpus":1,"entrypoint_num_gpus":0.5,"#
            + #""metadata":{"model":"churn"},"runtime_env":{"env_vars":{"SEXTANT_RUN":"r1"},"working_dir":"gcs://_ray_pkg_ab.zip"},"submission_id":"s"}"#),
    ]

    @Test("a job submission: JobSubmitRequest's field names, unset fields left out", arguments: submissions)
    func submission(_ submission: RayJobSubmission, _ expected: String) throws {
        #expect(try Self.json(submission) == expected)
    }

    static let deployments: [(ServeDeployment, String)] = [
        (ServeDeployment(name: "Model", scale: .replicas(2)), #"{"name":"Model","num_replicas":2}"#),
        (ServeDeployment(name: "Model", scale: .autoscaling(ServeAutoscaling(minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2.5))),
         #"{"autoscaling_config":{"max_replicas":4,"min_replicas":1,"target_ongoing_requests":2.5},"name":"Model"}"#),
        (ServeDeployment(name: "SextantModel", scale: .replicas(1), cpusPerReplica: 0.1), #"{"name":"SextantModel","num_replicas":1,"ray_actor_options":{"num_cpus":0.1}}"#),
    ]

    @Test("a deployment: num_replicas, or autoscaling_config and no num_replicas; ray_actor_options when CPUs are set; read back as written", arguments: deployments)
    func deployment(_ deployment: ServeDeployment, _ expected: String) throws {
        #expect(try Self.json(deployment) == expected)
        #expect(try JSONDecoder().decode(ServeDeployment.self, from: Data(expected.utf8)) == deployment)
    }

    @Test("a Serve declaration: http_options and the applications with ServeApplicationSchema's names")
    func declaration() throws {
        let declaration = ServeDeclaration(
            httpOptions: ServeHTTPOptions(port: 28000),
            applications: [ServeApplication(name: "churn-r3", routePrefix: "/churn/r3", importPath: "sextant_oip:app",
                                            runtimeEnv: RayRuntimeEnv(workingDir: "gcs://_ray_pkg_cd.zip", envVars: ["SEXTANT_MODEL_DIR": "model"]),
                                            deployments: [ServeDeployment(name: "OIPModel", scale: .replicas(1))],
                                            args: ["model_name": "churn"])])
        #expect(try Self.json(declaration) == #"{"applications":[{"args":{"model_name":"churn"},"deployments":[{"name":"OIPModel","num_replicas":1}],"#
            + #""import_path":"sextant_oip:app","name":"churn-r3","route_prefix":"/churn/r3","#
            + #""runtime_env":{"env_vars":{"SEXTANT_MODEL_DIR":"model"},"working_dir":"gcs://_ray_pkg_cd.zip"}}],"#
            + #""http_options":{"host":"127.0.0.1","port":28000}}"#)
    }

    @Test("a job as GET /api/jobs/{id} answers it (Ray 2.60), times in milliseconds")
    func job() throws {
        let answer = #"{"type": "SUBMISSION", "job_id": null, "submission_id": "t1", "driver_info": null, "status": "SUCCEEDED", "#
            + #""entrypoint": "echo hi $FOO", "message": "Job finished successfully.", "error_type": null, "start_time": 1796190595258, "#
            + #""end_time": 1796190597293, "metadata": null, "runtime_env": {"env_vars": {"FOO": "bar"}}, "#
            + #""driver_agent_http_address": "http://127.0.0.1:46383", "driver_node_id": "1ccb", "driver_exit_code": 0}"#
        let job = try JSONDecoder().decode(RayJob.self, from: Data(answer.utf8))
        #expect(job.submissionID == "t1")
        #expect(job.status == .succeeded && job.status.isTerminal)
        #expect(job.message == "Job finished successfully.")
        #expect(job.errorType == nil)
        #expect(job.startTime == Date(timeIntervalSince1970: 1_796_190_595.258))
        #expect(job.endTime == Date(timeIntervalSince1970: 1_796_190_597.293))
        #expect(job.driverExitCode == 0)
        let pending = #"{"submission_id": "t2", "status": "PENDING", "entrypoint": "x", "message": null, "start_time": null, "end_time": null}"#
        let waiting = try JSONDecoder().decode(RayJob.self, from: Data(pending.utf8))
        #expect(waiting.status == .pending && !waiting.status.isTerminal && waiting.startTime == nil)
    }

    @Test("a job status of a newer Ray: an error naming the field, not a crash")
    func unknownJobStatus() throws {
        let answer = RayClient.Answer(status: 200, body: Array(#"{"submission_id": "t", "status": "PAUSED", "entrypoint": "x"}"#.utf8),
                                      method: .GET, url: "http://127.0.0.1:8265/api/jobs/t")
        let error = #expect(throws: RayError.self) { try RayClient(address: "http://127.0.0.1:8265").decoded(answer, as: RayJob.self) }
        #expect(error?.description == "GET http://127.0.0.1:8265/api/jobs/t: HTTP 200: the answer is not the JSON Ray 2.60 documents "
            + "(status has a value Sextant does not know) (is http://127.0.0.1:8265 a Ray dashboard of version 2.60?)")
    }

    @Test("Serve's status with Serve not started: no applications, no proxies")
    func emptyServe() throws {
        let status = try JSONDecoder().decode(ServeStatus.self, from: Data(#"{"controller_info": {}, "proxies": {}, "applications": {}, "target_capacity": null}"#.utf8))
        #expect(status.applications.isEmpty && status.proxies.isEmpty && status.httpOptions == nil)
    }

    static let states: [(String, ServeApplicationState)] = [
        ("RUNNING", .running), ("DEPLOYING", .deploying), ("DEPLOY_FAILED", .deployFailed), ("NOT_STARTED", .notStarted),
        ("UNHEALTHY", .unhealthy), ("DELETING", .deleting), ("RESTARTING", .other("RESTARTING")),
    ]

    @Test("an application's state, an unknown one kept as it is", arguments: states)
    func applicationState(_ text: String, _ state: ServeApplicationState) throws {
        #expect(try JSONDecoder().decode(ServeApplicationState.self, from: Data("\"\(text)\"".utf8)) == state)
    }

    static let rayTexts: [(String, String)] = [
        ("Job nope does not exist", "Job nope does not exist"),
        ("Traceback (most recent call last):\n  File \"job_head.py\", line 45, in submit_job\n    raise ValueError(\n"
            + "ValueError: Job with submission_id t1 already exists. Please use a different submission_id.\n.\n",
         "ValueError: Job with submission_id t1 already exists. Please use a different submission_id."),
        ("", "no error text"),
    ]

    @Test("Ray's error text: the last line of a traceback, or the text", arguments: rayTexts)
    func rayText(_ body: String, _ expected: String) {
        #expect(RayClient.rayText(body) == expected)
    }
}
