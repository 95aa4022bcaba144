import ArgumentParser
import Foundation
import Logging
import SextantAPI
import SextantCore
import SextantGit
import SextantPostgres
import SextantSource
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon: follow a branch, reconcile continuously, serve the HTTP API.",
        discussion: """
            Polls --branch of --repo every --interval (with ±10% jitter) and at once
            when the push webhook is called, reconciles like `reconcile --once`, and
            serves GET /healthz, /readyz, /metrics (Prometheus), /api/v1/status,
            /api/v1/events?since=ID, POST /api/v1/hooks/git and POST
            /api/v1/models/NAME/promote|abort|retry on --listen. It starts (or adopts)
            the gateway on --gateway and the model servers, detached: they keep serving
            when the daemon stops (`sextant down` stops them), and a killed gateway is
            started again within a second. SIGTERM finishes the current pass and exits
            0; SIGINT cancels it. See docs/operations.md and docs/rollouts.md.

            Examples:
              sextant run --repo https://github.com/acme/ml-config \\
                  --state-dir /var/lib/sextant
              sextant run --repo . --path examples/quickstart --interval 5s
              sextant run --repo . --path examples/ray \\
                  --runtime ray --ray-address http://127.0.0.1:8265
              sextant run --repo git@github.com:acme/ml-config.git \\
                  --listen 0.0.0.0:7070 \\
                  --webhook-secret-file /etc/sextant/webhook-secret
              sextant run --repo https://github.com/acme/ml-config \\
                  --store postgres://sextant@db.internal:5432/sextant?sslmode=require \\
                  --store-password-file /etc/sextant/pgpass --listen 127.0.0.1:7071

            With --store postgres://…, several replicas share one database: one
            leads (a lease renewed every 5 s, 15 s long, on the database's clock)
            and reconciles; the others serve the API and the dashboard read-only and
            take over within the lease. Replicas share --state-dir on one host.
            """
    )

    @OptionGroup var source: SourceOptions

    @Option(help: ArgumentHelp("How often to fetch when no webhook arrives, e.g. 15s, 1m.", valueName: "duration"))
    var interval: String = "15s"

    @Option(help: ArgumentHelp("Where the HTTP API listens (host:port).", valueName: "address"))
    var listen: String = "127.0.0.1:7070"

    @Option(help: ArgumentHelp("A file holding the push webhook's shared secret; calls must then be signed (X-Hub-Signature-256).", valueName: "file"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("A file holding the bearer token of mutating API calls.", valueName: "file"))
    var apiTokenFile: String?

    @Option(help: ArgumentHelp("How long fetches may fail before status shows the error.", valueName: "duration"))
    var fetchErrorGrace: String = "1m"

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The author of the commits Sextant pushes to sextant/<purpose>/<model> branches, as \"Name <email>\".", valueName: "author"))
    var gitAuthor: String = GitSignature.sextant.description

    @Option(help: ArgumentHelp("A file holding what pushes present: an HTTPS token (a token or user:token line) or an SSH private key.", valueName: "file"))
    var gitCredentialsFile: String?

    func validate() throws {
        guard Self.duration(interval, positive: true) != nil else {
            throw ValidationError("--interval \(interval) is not a duration such as 15s or 1m")
        }
        guard Self.duration(fetchErrorGrace, positive: false) != nil else {
            throw ValidationError("--fetch-error-grace \(fetchErrorGrace) is not a duration such as 0s or 1m")
        }
        guard let api = Self.address(listen) else {
            throw ValidationError("--listen \(listen) is not host:port, e.g. 127.0.0.1:7070 or [::1]:7070")
        }
        guard GitSignature(parsing: gitAuthor) != nil else {
            throw ValidationError("--git-author \(gitAuthor) is not Name <email>, e.g. \"Sextant <sextant@example.com>\"")
        }
        if let gateway = Self.address(source.gateway), gateway.1 == api.1, gateway.1 != 0 {
            throw ValidationError("--listen \(listen) and --gateway \(source.gateway) share port \(api.1): the API and the gateway need a port each")
        }
    }

    func run() async throws {
        source.bootstrapLogging()
        let logger = Logger(label: "sextant")
        // Secrets are read once, here, and never logged or passed to child processes.
        let secret = try webhookSecretFile.map { try Self.secret(from: $0, flag: "--webhook-secret-file") }
        let token = try apiTokenFile.map { try Self.secret(from: $0, flag: "--api-token-file") }
        let run = DaemonConfiguration.Run(listen: listen, interval: Self.duration(interval, positive: true)!, webhookSecret: secret, apiToken: token,
                                          branches: try Self.branchWriteSettings(author: gitAuthor, credentialsFile: gitCredentialsFile))
        let configuration = try source.daemonConfiguration(run: run, fetchErrorGrace: Self.duration(fetchErrorGrace, positive: false)!)
        let daemon: Daemon?
        let services: [any Service]
        if let postgres = try store.postgres() {
            daemon = nil
            services = try buildReplica(configuration, store: PostgresStore(configuration: postgres, applicationName: "sextant \(ReplicaIdentity.holder)",
                                                                            logger: logger), logger: logger)
        } else {
            daemon = try buildDaemon(configuration, logger: logger)
            services = daemon?.services ?? []
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm], cancellationSignals: [.sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            // Taken between the check and the bind: the same line as the check's.
            if "\(error)".contains("Address already in use") {
                throw CommandFailure(message: PortPreflight.taken(flag: "--listen", address: listen))
            }
            throw CommandFailure(message: "\(error)")
        }
        withExtendedLifetime(daemon) {}
    }

    /// `15s`, `1m`, `500ms` (the manifest duration syntax).
    static func duration(_ text: String, positive: Bool) -> Duration? {
        guard let parsed = ManifestDuration(text), parsed.milliseconds >= (positive ? 1 : 0) else { return nil }
        return parsed.duration
    }

    /// `host:port` or `[ipv6]:port`.
    static func address(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// `--git-author` and `--git-credentials-file` (read once, here), for the branches
    /// Sextant pushes; the author was checked by `validate()`.
    static func branchWriteSettings(author: String, credentialsFile: String?) throws -> BranchWriteSettings {
        BranchWriteSettings(author: GitSignature(parsing: author) ?? .sextant,
                            credentials: try credentialsFile.map { try gitCredentials(from: $0) } ?? .none)
    }

    /// `--git-credentials-file`: read once, with the checks of every secret file.
    static func gitCredentials(from path: String) throws -> GitCredentials {
        let flag = "--git-credentials-file"
        let bytes = try secret(from: path, flag: flag)
        do throws(GitError) {
            return try GitCredentials.parse(Data(bytes), file: path)
        } catch {
            throw CommandFailure(message: "\(flag) \(path): \(error.message)")
        }
    }

    /// A secret file's bytes (trailing newlines dropped), with `SecretFile`'s checks.
    static func secret(from path: String, flag: String) throws -> [UInt8] {
        do throws(SecretFile.Failure) {
            return try SecretFile.read(path, flag: flag)
        } catch {
            throw CommandFailure(message: error.message)
        }
    }
}
