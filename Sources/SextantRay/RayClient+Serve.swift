import NIOHTTP1

extension RayClient {
    /// `GET /api/serve/applications/`: every application's state, its deployments and their
    /// replicas, and the proxies.
    public func serveStatus() async throws(RayError) -> ServeStatus {
        try await call(.GET, "/api/serve/applications/")
    }

    /// `PUT /api/serve/applications/`: the whole set of applications. Serve starts (with
    /// `declaration.httpOptions`) if it is not running, deploys what is new or changed and
    /// removes every application not listed. Returns when Serve has taken the declaration;
    /// `serveStatus()` tells when the applications run.
    public func declare(_ declaration: ServeDeclaration) async throws(RayError) {
        let path = "/api/serve/applications/"
        let answer = try await send(.PUT, path, body: try encoded(declaration, .PUT, path))
        guard answer.isSuccess else { throw failure(answer) }
    }

    /// `DELETE /api/serve/applications/`: shuts Serve down, every application and the proxy with it.
    public func removeAllServeApplications() async throws(RayError) {
        let answer = try await send(.DELETE, "/api/serve/applications/")
        guard answer.isSuccess else { throw failure(answer) }
    }
}
