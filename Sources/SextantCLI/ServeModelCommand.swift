import ArgumentParser
import Foundation
import Logging
import SextantML
import SextantServing
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

            Examples:
              sextant train --data tx.csv --target is_fraud --output model/
              sextant serve-model --artifact model/ --name fraud-detector --port 8081
              curl -s localhost:8081/v2/models/fraud-detector/infer -d \\
                '{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[12.5]}]}'
            """
    )

    @Option(help: ArgumentHelp("A directory holding model.json.", valueName: "dir"))
    var artifact: String

    @Option(help: ArgumentHelp("The model name clients use (default $SEXTANT_MODEL_NAME, else model).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The version reported as model_version (default $SEXTANT_MODEL_VERSION, else 1).", valueName: "n"))
    var version: String?

    @Option(help: ArgumentHelp("The port (default $SEXTANT_PORT, else 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "host"))
    var host: String = "127.0.0.1"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = artifact + "/model.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "--artifact \(artifact): no model.json there (write one with `sextant train --output DIR`)")
        }
        let model: TrainedModel
        do {
            model = try TrainedModel.decode(data)
        } catch {
            throw CommandFailure(message: "\(path): \(error)")
        }
        let portNumber = port ?? environment["SEXTANT_PORT"].flatMap(Int.init) ?? 8080
        let server = ModelServer(name: name ?? environment["SEXTANT_MODEL_NAME"] ?? "model",
                                 version: version ?? environment["SEXTANT_MODEL_VERSION"] ?? "1", model: model)
        let logger = {
            var logger = Logger(label: "sextant.serve-model")
            logger.logLevel = .notice
            return logger
        }()
        let application = server.application(host: host, port: portNumber, logger: logger) { port in
            logger.notice("serving", metadata: ["model": "\(server.name)", "version": "\(server.version)", "address": "\(host):\(port)"])
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: application)], gracefulShutdownSignals: [.sigterm],
                                                      cancellationSignals: [.sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }
}
