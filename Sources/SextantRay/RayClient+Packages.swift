import NIOHTTP1

extension RayClient {
    /// Whether the cluster holds the package already, or just got it.
    public enum UploadOutcome: Equatable, Sendable {
        case uploaded
        case alreadyPresent
    }

    /// Makes `package` available as a `working_dir`: `GET /api/packages/gcs/<name>` (which
    /// also pins it for Ray's URI expiry, ten minutes by default, as Ray's job SDK relies on)
    /// and, when the cluster lacks it, `PUT` of the zip. Content-addressed: uploaded once.
    @discardableResult
    public func upload(_ package: RayPackage) async throws(RayError) -> UploadOutcome {
        let path = "/api/packages/gcs/\(package.name)"
        let existing = try await send(.GET, path)
        if existing.isSuccess { return .alreadyPresent }
        guard existing.status == 404 else { throw failure(existing) }
        let upload = try await send(.PUT, path, body: package.archive, contentType: "application/zip")
        guard upload.isSuccess else {
            throw failure(upload, hint: "Ray keeps a package in its GCS: one over RAY_max_grpc_message_size (about 500 MiB) is refused")
        }
        return .uploaded
    }
}
