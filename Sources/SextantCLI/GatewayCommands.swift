import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SextantAPI
import SextantCore
import SextantGateway
import SextantML
import SextantRuntime
import SextantStore
import ServiceLifecycle
import UnixSignals
import SextantWire

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The gateway: routes inference for every model of a state directory by its routing table.",
        discussion: """
            What `run` and `reconcile --once` start, detached, so that inference outlives
            the daemon. It loads the routing table from the state store at start and takes
            new ones on a loopback admin port (token in STATE/gateway.token). It serves
            the Open Inference Protocol v2 (POST /v2/models/NAME/infer, …), adds
            X-Sextant-Revision to every answer, and /metrics in Prometheus format.
            Every inference request gets an id (its valid X-Request-Id, else a ULID,
            answered in X-Request-Id) and, sampled by the model's spec.monitoring.log,
            goes to the prediction log in STATE/predictions/MODEL/; POST
            /v2/models/NAME/feedback stores labels in STATE/feedback/MODEL/
            (docs/prediction-log.md).
            A request body over --max-request-bytes gets 413, a head or body that does
            not arrive in time 408, a malformed one 400; each closes its connection
            (`run` passes its own --max-request-bytes on).

            Examples:
              sextant gateway --state-dir .sextant --listen 127.0.0.1:8080
              sextant gateway --state-dir .sextant --max-request-bytes 16777216
              curl -fsS localhost:8080/v2/models/fraud-detector/infer \\
                  -d @examples/quickstart/requests/infer.json
            """
    )

    @Option(help: ArgumentHelp("The state directory whose models it routes.", valueName: "dir"))
    var stateDir: String = ".sextant"

    @Option(help: ArgumentHelp("Where it serves inference (host:port).", valueName: "address"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("The loopback port of its admin endpoint (0: any free port, logged).", valueName: "port"))
    var adminPort: Int = 0

    @OptionGroup(title: "Request limits")
    var limits: HTTPLimitOptions

    func validate() throws {
        guard RunCommand.address(listen) != nil else { throw ValidationError("--listen \(listen) is not host:port, e.g. 127.0.0.1:8080") }
    }

    func run() async throws {
        try PortPreflight.requireFree(flag: "--listen", address: listen)
        if adminPort != 0 { try PortPreflight.requireFree(flag: "--admin-port", address: "127.0.0.1:\(adminPort)") }
        var logger = Logger(label: "sextant.gateway")
        logger.logLevel = .info
        let state = ReconcileCommand.absolute(stateDir)
        let token: String
        do throws(ActionError) {
            token = try EmbeddedRuntime.gatewayToken(in: state)
        } catch {
            throw CommandFailure(message: "--state-dir \(stateDir): \(error.message)")
        }
        var routes = RoutingTable(generation: 0, models: [:])
        if FileManager.default.fileExists(atPath: state + "/state.sqlite") {
            do {
                routes = try SQLiteStore(readingFrom: state).routes() ?? routes
            } catch let error as StoreError {
                throw CommandFailure(message: "--state-dir \(stateDir): \(error.message)")
            }
        }
        guard routes.protocolVersion <= RoutingTable.protocolVersion else {
            throw CommandFailure(message: "the stored routing table has protocol \(routes.protocolVersion), newer than this gateway's \(RoutingTable.protocolVersion): upgrade sextant")
        }
        let (host, port) = RunCommand.address(listen)!
        let loaded = routes
        let log = logger
        let gateway = Gateway(routes: routes, token: token, limits: limits.limits, log: Self.logConfiguration(state: state), logger: logger)
        defer { gateway.stopLog() }
        let admin = gateway.adminApplication(port: adminPort)
        let inference = gateway.inferenceServer(host: host, port: port) { bound in
            log.notice("gateway serving", metadata: [
                "address": "\(GatewayAddress(host: host, port: bound))", "instance": "\(gateway.instance)", "generation": "\(loaded.generation)",
                "models": "\(loaded.models.keys.sorted().joined(separator: ","))",
            ])
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: inference), .init(service: admin)],
                                                      gracefulShutdownSignals: [.sigterm], cancellationSignals: [.sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("EADDRINUSE") {
                throw CommandFailure(message: PortPreflight.taken(flag: "--listen", address: listen))
            }
            throw CommandFailure(message: "gateway: \(text)")
        }
    }
}

extension GatewayCommand {
    /// The prediction log under the state directory. Two environment variables exist for
    /// benchmarks and tests only: SEXTANT_GATEWAY_LOG_QUEUE_BYTES (the queue's size) and
    /// SEXTANT_GATEWAY_LOG_WRITE_DELAY_US (a pause per record written: a slow disk).
    static func logConfiguration(state: String) -> PredictionLog.Configuration {
        let environment = ProcessInfo.processInfo.environment
        var configuration = PredictionLog.Configuration(state: state)
        if let bytes = environment["SEXTANT_GATEWAY_LOG_QUEUE_BYTES"].flatMap(Int.init), bytes > 0 { configuration.queueBytes = bytes }
        if let delay = environment["SEXTANT_GATEWAY_LOG_WRITE_DELAY_US"].flatMap(Int.init), delay > 0 { configuration.writeDelayMicroseconds = delay }
        return configuration
    }
}

struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Send rows to a model through the gateway and print the answers and the revision that served.",
        discussion: """
            Rows come from a CSV file with a header, or a JSON file holding an array of
            objects (one per row) or a whole Open Inference Protocol request. They are sent
            with the tabular convention: one input per feature, typed by the model's
            metadata; when the metadata lists no inputs (MLServer's), by the features of
            the serving version as recorded in --state-dir, in the manifest's order (other
            columns are shown, not sent). Probabilities are labelled by the answer's
            classes, or else by the version's sorted class labels.

            Examples:
              sextant predict fraud-detector --csv examples/quickstart/requests/rows.csv
              sextant predict fraud-detector --gateway http://127.0.0.1:8080 \\
                  --json examples/quickstart/requests/rows.json
              sextant predict fraud-detector -o json \\
                  --json examples/quickstart/requests/rows.json
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(help: ArgumentHelp("Rows as CSV with a header line.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Rows as a JSON array of objects, or an OIP v2 request.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("The gateway's URL.", valueName: "url"))
    var gateway: String = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("The state directory whose registry records the model's features and classes (used when the server's metadata lacks them).",
                               valueName: "dir"))
    var stateDir: String = ".sextant"

    @Option(name: .shortAndLong, help: "table or json (the answer as the server sent it).")
    var output: HistoryOutput = .table

    func validate() throws {
        guard (csv == nil) != (json == nil) else { throw ValidationError("give exactly one of --csv FILE or --json FILE") }
    }

    func run() async throws {
        let base = gateway.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let version = servingVersion()
        let (columns, rows, request) = try await readRows(base: base, version: version)
        var outgoing = HTTPClientRequest(url: "\(base)/v2/models/\(model)/infer")
        outgoing.method = .POST
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(request)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await CommandHTTPClient.shared.execute(outgoing, timeout: .seconds(60))
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw CommandFailure(message: ConnectionFailure.message(error, url: base, peer: .gateway))
        }
        let answer = (try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))) ?? .null
        let revision = response.headers.first(name: "X-Sextant-Revision")
        guard response.status == .ok else {
            let message = answer.objectValue?["error"]?.string ?? String(buffer: body)
            throw CommandFailure(message: "\(model): HTTP \(response.status.code): \(message)")
        }
        if output == .json {
            print(String(buffer: body))
            return
        }
        let outputs = answer.objectValue?["outputs"]?.arrayValue ?? []
        let predicted = outputs.first { $0.objectValue?["name"]?.string == "predict" }?.objectValue?["data"]?.arrayValue ?? []
        let probabilities = outputs.first { $0.objectValue?["name"]?.string == "predict_proba" }?.objectValue
        let flat = probabilities?["data"]?.arrayValue ?? []
        let named = probabilities?["parameters"]?.objectValue?["classes"]?.arrayValue?.compactMap(\.string) ?? []
        // Without classes in the answer, the version's sorted labels, when they fit its width.
        let recorded = version?.classes ?? []
        let classes = !named.isEmpty ? named : !recorded.isEmpty && flat.count == rows.count * recorded.count ? recorded : []
        var table = [["ROW"] + columns.prefix(4) + ["PREDICTION"] + classes.map { "P(\($0))" }]
        for (index, row) in rows.enumerated() {
            var line = [String(index + 1)] + row.prefix(4)
            line.append(predicted.indices.contains(index) ? Self.text(predicted[index]) : "")
            for k in classes.indices {
                let position = index * classes.count + k
                line.append(flat.indices.contains(position) ? flat[position].number.map { String(format: "%.4f", $0) } ?? "" : "")
            }
            table.append(line)
        }
        print(TextTable.lines(table).joined(separator: "\n"))
        let modelVersion = answer.objectValue?["model_version"]?.string ?? "?"
        print("\nserved by r\(revision ?? "?") (version \(modelVersion)) of \(model) through \(base)")
    }

    /// The rows to show (first columns, as text) and the request to send.
    private func readRows(base: String, version: ModelVersion?) async throws -> ([String], [[String]], JSONValue) {
        if let json {
            guard let data = FileManager.default.contents(atPath: json) else { throw CommandFailure(message: "--json \(json): cannot read the file") }
            let value: JSONValue
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: data)
            } catch {
                throw CommandFailure(message: "--json \(json): not JSON: \(error)")
            }
            if value.objectValue?["inputs"] != nil { return ([], [], value) }
            guard let objects = value.arrayValue?.compactMap(\.objectValue), objects.count == value.arrayValue?.count, !objects.isEmpty else {
                throw CommandFailure(message: "--json \(json): expected an array of row objects, like [{\"amount\": 12.5}], or an OIP request with inputs")
            }
            let columns = objects.flatMap(\.keys).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let values = columns.map { column in objects.map { $0[column] ?? .null } }
            let types = try await datatypes(base: base, version: version)
            let rows = objects.map { object in columns.map { Self.text(object[$0] ?? .null) } }
            return (columns, rows, Self.request(columns: columns, values: values, types: types, order: version?.features?.map(\.name)))
        }
        let path = csv!
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "--csv \(path): cannot read the file") }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(Array(data))
        } catch {
            throw CommandFailure(message: "\(path):\(error.line): \(error.message)")
        }
        let types = try await datatypes(base: base, version: version)
        let values = table.header.indices.map { column in
            (0..<table.rowCount).map { row -> JSONValue in
                guard let text = table.text(row: row, column: column), !text.isEmpty else { return .null }
                switch types[table.header[column]] {
                case "FP64", "FP32", "INT64", "INT32": return Double(text).map(JSONValue.number) ?? .string(text)
                case "BOOL": return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
                case nil: return Double(text).map(JSONValue.number) ?? .string(text)
                default: return .string(text)
                }
            }
        }
        let rows = (0..<table.rowCount).map { row in table.header.indices.map { table.text(row: row, column: $0) ?? "" } }
        return (table.header, rows, Self.request(columns: table.header, values: values, types: types, order: version?.features?.map(\.name)))
    }

    /// The model's input datatypes and outputs, from its metadata through the gateway
    /// (none when it has no metadata: then types follow the values, and only `predict` is asked).
    private func datatypes(base: String, version: ModelVersion?) async throws -> [String: String] {
        let request = HTTPClientRequest(url: "\(base)/v2/models/\(model)")
        guard let response = try? await CommandHTTPClient.shared.execute(request, timeout: .seconds(10)),
              let body = try? await response.body.collect(upTo: 16 << 20), response.status == .ok,
              let metadata = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)) else { return [:] }
        var types: [String: String] = [:]
        for input in metadata.objectValue?["inputs"]?.arrayValue ?? [] {
            if let name = input.objectValue?["name"]?.string, let type = input.objectValue?["datatype"]?.string { types[name] = type }
        }
        for output in metadata.objectValue?["outputs"]?.arrayValue ?? [] {
            if let name = output.objectValue?["name"]?.string { types[Self.outputPrefix + name] = "output" }
        }
        // A server that describes neither (MLServer loads a model without its signature):
        // the features and classes the serving version was trained with.
        if types.isEmpty, let features = version?.features {
            for feature in features { types[feature.name] = feature.logicalType.inferenceDatatype }
        }
        if !types.keys.contains(where: { $0.hasPrefix(Self.outputPrefix) }), !(version?.classes ?? []).isEmpty {
            types[Self.outputPrefix + "predict"] = "output"
            types[Self.outputPrefix + "predict_proba"] = "output"
        }
        return types
    }

    /// The version of the model's stable revision (else its newest) in the registry of
    /// --state-dir; nil when there is none to read (a remote gateway).
    private func servingVersion() -> ModelVersion? {
        guard FileManager.default.fileExists(atPath: stateDir), let store = try? SQLiteStore(readingFrom: stateDir),
              let observed = try? store.observed(), let registry = observed.registries[model] else { return nil }
        let stable = observed.objects[ObjectKey(.model, model)]?.model?.stableRevision.flatMap(registry.revision)
        return stable.flatMap { registry.version($0.version) } ?? registry.versions.last
    }

    static let outputPrefix = "\u{0}output:"

    /// - Parameter order: the features in the manifest's order, which inputs follow (a
    ///   scikit-learn model checks the columns' order); other columns after them.
    static func request(columns: [String], values: [[JSONValue]], types: [String: String], order: [String]? = nil) -> JSONValue {
        let outputs = ["predict", "predict_proba"].filter { $0 == "predict" || types[outputPrefix + $0] != nil }
        // Columns the model does not take (the target, keys) are shown, not sent.
        let known = types.keys.contains { !$0.hasPrefix(outputPrefix) }
        let rank = { (column: String) in order?.firstIndex(of: column) ?? Int.max }
        let sent = zip(columns, values).filter { !known || types[$0.0] != nil }.sorted { rank($0.0) < rank($1.0) }
        let inputs = sent.map { column, data -> JSONValue in
            let type = types[column] ?? (data.allSatisfy { $0.number != nil || $0 == .null } ? "FP64" : data.allSatisfy { $0.bool != nil || $0 == .null } ? "BOOL" : "BYTES")
            return .object(["name": .string(column), "shape": .array([.number(Double(data.count))]), "datatype": .string(type), "data": .array(data)])
        }
        return .object([
            "parameters": .object(["content_type": .string("pd")]), "inputs": .array(inputs),
            "outputs": .array(outputs.map { .object(["name": .string($0)]) }),
        ])
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(format: "%.4g", number)
        case .string(let text): text
        case .array(let items): items.map(text).joined(separator: ",")
        case .object: "{…}"
        }
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? { if case .object(let fields) = self { fields } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
}
