import SextantTestSupport

/// A gateway process and one model server, outside any daemon: the quickstart's model
/// trained into a temporary directory (which is also the gateway's state directory),
/// `serve-model` serving it as `fraud` version 3, and `sextant gateway` with no routes yet.
struct StandaloneGateway {
    let work: TemporaryDirectory
    let server: BackgroundProcess
    let serverPort: Int
    let gateway: BackgroundProcess
    let port: Int
    let adminPort: Int

    init() async throws {
        work = try TemporaryDirectory()
        let trained = try await runProcess(sextantBinary, [
            "train", "--data", packageRoot + "/examples/quickstart/data/transactions.csv", "--target", "is_fraud",
            "--features", "amount,hour,merchant_risk,account_age_days", "--seed", "42", "--output", work.path + "/model",
        ])
        guard trained.status == 0 else { throw FixtureError("sextant train: \(trained.stderr)") }
        serverPort = try freePort()
        server = try BackgroundProcess(sextantBinary, ["serve-model", "--artifact", work.path + "/model", "--port", "\(serverPort)", "--name", "fraud", "--version", "3"],
                                       logPath: work.path + "/serve.log", environment: ["PATH": "/usr/bin:/bin"])
        port = try freePort()
        adminPort = try freePort()
        gateway = try BackgroundProcess(sextantBinary, ["gateway", "--state-dir", work.path, "--listen", "127.0.0.1:\(port)", "--admin-port", "\(adminPort)"],
                                        logPath: work.path + "/gateway.log", environment: ["PATH": "/usr/bin:/bin"])
    }
}
