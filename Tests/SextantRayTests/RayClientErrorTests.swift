import SextantTestSupport
import Testing

@testable import SextantRay

@Suite struct RayClientErrorTests {
    @Test("no Ray at the address: one line with the call, the reason and what to check")
    func unreachable() async throws {
        let port = try RefusingPort()
        // A deadline far above the bound below: a refusal is told at once, not when the call
        // gives up (a loaded CI machine once took 21 s to tell it).
        let client = RayClient(address: "http://127.0.0.1:\(port.port)/", timeout: .seconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: RayError.self) { try await client.job("train-1") }
        #expect(ContinuousClock.now - start < .seconds(120))
        #expect(error?.description == "GET http://127.0.0.1:\(port.port)/api/jobs/train-1: connection refused "
            + "(is `ray start --head` running with its dashboard on 127.0.0.1:\(port.port)?)")
    }

    @Test("an error with Ray's answer names the status and Ray's text")
    func withStatus() {
        let error = RayError(method: "PUT", url: "http://127.0.0.1:8265/api/serve/applications/", status: 400, detail: "ValidationError: route_prefix")
        #expect(error.description == "PUT http://127.0.0.1:8265/api/serve/applications/: HTTP 400: ValidationError: route_prefix")
    }
}
