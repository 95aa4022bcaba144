import ArgumentParser
import Foundation
import Logging
import SextantML
import SextantServing
import SextantStore
import SextantAPI
import SextantCore
import ServiceLifecycle
import UnixSignals

struct ServeModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-model",
        abstract: "Serve a built-in model over the Open Inference Protocol v2 (REST).",
        discussion: """
            Loads model.json from --artifact (as `sextant train --output` writes it) and
            answers GET /v2/health/live|ready, GET /v2/models/NAME (metadata, with
            parameters.classes), GET /v2/models/NAME/ready and POST /v2/models/NAME/infer,
            in JSON or with the binary tensor data extension (what tritonclient sends by
            default). Requests use the tabular convention: one input per feature column,
            named after it, shape [N]; null (or NaN) is a missing value. Outputs: predict,
            and predict_proba for classifiers. Name, version and port default to the
            serving contract's SEXTANT_MODEL_NAME, SEXTANT_MODEL_VERSION and SEXTANT_PORT.
            A request body over --max-request-bytes gets 413 before it is read, a head or
            body that does not arrive in time 408, a malformed one 400; each closes its
            connection, and the server goes on serving the others.

            Examples:
              sextant serve-model --state-dir .sextant --model fraud-detector \\
                  --version 1 --port 8081 &
              sextant train --data examples/quickstart/data/transactions.csv \\
                  --target is_fraud --output model/ \\
                  --features amount,hour,merchant_risk,account_age_days
              sextant serve-model --artifact model/ --name fraud-detector \\
                  --port 8082 --max-request-bytes 8388608 &
              curl -fs --retry 5 --retry-connrefused \\
                  localhost:8081/v2/models/fraud-detector/infer \\
                  -d @examples/quickstart/requests/infer.json
            """
    )

    @Option(help: ArgumentHelp("A directory holding model.json.", valueName: "dir"))
    var artifact: String?

    @Option(help: ArgumentHelp("Serve a registered model of this state directory (with --model).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("The registered model to serve (with --state-dir).", valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("The model name clients use (default $SEXTANT_MODEL_NAME, else model).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The version reported as model_version (default $SEXTANT_MODEL_VERSION, else 1); with --model, the registered version to serve (default: the one that serves now).", valueName: "n"))
    var version: String?

    @Option(help: ArgumentHelp("The port (default $SEXTANT_PORT, else 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "host"))
    var host: String = "127.0.0.1"

    @OptionGroup(title: "Request limits")
    var limits: HTTPLimitOptions

    func validate() throws {
        switch (artifact, stateDir, model) {
        case (_?, nil, nil), (nil, _?, _?): return
        case (_?, _, _): throw ValidationError("give either --artifact DIR or --state-dir DIR --model NAME, not both")
        default: throw ValidationError("give --artifact DIR, or --state-dir DIR with --model NAME")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var name = name, version = version
        let artifact: String
        if let given = self.artifact {
            artifact = given
        } else {
            let (directory, number) = try registered()
            artifact = directory
            name = name ?? model
            version = String(number)
        }
        let path = artifact + "/model.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "\(artifact): no model.json there; serve-model serves built-in models (write one with `sextant train --output DIR`); an external trainer's model is served by its own serving command")
        }
        let model: TrainedModel
        do {
            model = try TrainedModel.decode(data)
        } catch {
            throw CommandFailure(message: "\(path): \(error)")
        }
        let portNumber = port ?? environment["SEXTANT_PORT"].flatMap(Int.init) ?? 8080
        try PortPreflight.requireFree(flag: "--port", host: host, port: portNumber)
        let server = ModelServer(name: name ?? environment["SEXTANT_MODEL_NAME"] ?? "model",
                                 version: version ?? environment["SEXTANT_MODEL_VERSION"] ?? "1", model: model)
        let logger = {
            var logger = Logger(label: "sextant.serve-model")
            logger.logLevel = .notice
            return logger
        }()
        let application = server.application(host: host, port: portNumber, limits: limits.limits, logger: logger) { port in
            logger.notice("serving", metadata: ["model": "\(server.name)", "version": "\(server.version)", "address": "\(host):\(port)"])
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: application)], gracefulShutdownSignals: [.sigterm],
                                                      cancellationSignals: [.sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            if "\(error)".contains("Address already in use") {
                throw CommandFailure(message: PortPreflight.taken(flag: "--port", address: String(portNumber)))
            }
            throw CommandFailure(message: "\(error)")
        }
    }

    /// The directory and number of the registered version to serve.
    private func registered() throws -> (String, Int) {
        guard let stateDir, let model else { throw CommandFailure(message: "--model needs --state-dir") }
        let store: SQLiteStore
        let registries: [String: ModelRegistry]
        let observed: [ObjectKey: ObservedObject]
        do {
            store = try SQLiteStore(readingFrom: stateDir)
            registries = try store.registries()
            observed = try store.observed().objects
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        guard let registry = registries[model], let latest = registry.versions.last else {
            throw CommandFailure(message: "--model \(model): no registered version in \(stateDir); `sextant history` lists what was trained")
        }
        let serving = observed[ObjectKey(.model, model)]?.model?.stableRevision.flatMap { registry.revision($0)?.version }
        let number: Int
        if let version {
            guard let wanted = Int(version.hasPrefix("v") ? String(version.dropFirst()) : version), registry.version(wanted) != nil else {
                throw CommandFailure(message: "--version \(version): \(model) has versions \(registry.versions.map { "\($0.number)" }.joined(separator: ", "))")
            }
            number = wanted
        } else {
            number = serving ?? latest.number
        }
        return (ReconcileCommand.absolute(stateDir) + "/" + registry.version(number)!.modelDirectory, number)
    }
}
