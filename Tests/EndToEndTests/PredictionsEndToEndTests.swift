import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantAPI
import SextantCore
import SextantML
import SextantMonitoring
import SextantStore
import SextantTestSupport
import Testing

/// `sextant predictions` on the quickstart as built: rows sent through the gateway come
/// back exactly as sent and answered, labels posted while no daemon runs are joined per
/// row, and the online metrics of those rows equal scikit-learn's.
@Suite(.serialized) struct PredictionsEndToEndTests {
    static let tritonclientPython = ProcessInfo.processInfo.environment["SEXTANT_TRITONCLIENT_PYTHON"]
    /// The venv CI makes for MLServer holds scikit-learn.
    static let sklearnPython = ProcessInfo.processInfo.environment["SEXTANT_MLSERVER_PYTHON"]

    /// One inference request as the client sent it, and what it got back.
    struct Exchange {
        var id: String
        var amount: [Double]
        var hour: [Int]
        var merchantRisk: [Double]
        var accountAgeDays: [Int]
        var predict: [Bool?] = []
        /// Per row: P(false), P(true).
        var proba: [[Double?]] = []

        var body: String {
            func input(_ name: String, _ datatype: String, _ values: [String]) -> String {
                #"{"name":"\#(name)","datatype":"\#(datatype)","shape":[\#(values.count)],"data":[\#(values.joined(separator: ","))]}"#
            }
            return #"{"inputs":["#
                + [input("amount", "FP64", amount.map { "\($0)" }), input("hour", "INT64", hour.map(String.init)),
                   input("merchant_risk", "FP64", merchantRisk.map { "\($0)" }), input("account_age_days", "INT64", accountAgeDays.map(String.init))]
                .joined(separator: ",")
                + #"],"outputs":[{"name":"predict"},{"name":"predict_proba"}]}"#
        }
    }

    /// An OIP v2 answer of the built-in server.
    struct Answer: Decodable {
        struct Output: Decodable {
            var name: String
            var data: [Scalar]
            var parameters: Parameters?
        }
        struct Parameters: Decodable {
            var classes: [String]?
        }
        enum Scalar: Decodable {
            case boolean(Bool)
            case number(Double)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                self = if let flag = try? container.decode(Bool.self) { .boolean(flag) } else { .number(try container.decode(Double.self)) }
            }

            var flag: Bool? { if case .boolean(let flag) = self { flag } else { nil } }
            var number: Double? { if case .number(let number) = self { number } else { nil } }
        }
        var outputs: [Output]
    }

    /// A row of `sextant predictions -o jsonl`.
    struct ExportedRow: Decodable, Equatable {
        var requestId: String
        var row: Int
        var revision: Int
        var version: Int
        var amount: Double?
        var hour: Int?
        var merchantRisk: Double?
        var accountAgeDays: Int?
        var predict: Bool?
        var probaFalse: Double?
        var probaTrue: Double?
        var truth: Bool?

        enum CodingKeys: String, CodingKey {
            case requestId, row, revision, version, amount, hour, predict, truth
            case merchantRisk = "merchant_risk", accountAgeDays = "account_age_days", probaFalse = "proba.false", probaTrue = "proba.true"
        }
    }

    /// Five requests of 1 to 4 rows: 11 rows, fraud-like and ordinary.
    static let requests = [
        Exchange(id: "e2e-a", amount: [920.0], hour: [3], merchantRisk: [0.93], accountAgeDays: [4]),
        Exchange(id: "e2e-b", amount: [14.5, 310.25, 1200.0], hour: [13, 2, 23], merchantRisk: [0.12, 0.55, 0.81], accountAgeDays: [1800, 40, 12]),
        Exchange(id: "e2e-c", amount: [55.0, 3.99], hour: [9, 1], merchantRisk: [0.3, 0.97], accountAgeDays: [700, 2]),
        Exchange(id: "e2e-d", amount: [75.5, 640.0, 18.0, 999.99], hour: [15, 4, 11, 0], merchantRisk: [0.2, 0.7, 0.05, 0.9],
                 accountAgeDays: [3650, 30, 90, 7]),
        Exchange(id: "e2e-e", amount: [42.0], hour: [12], merchantRisk: [0.4], accountAgeDays: [365]),
    ]

    /// The truths the feedback below leaves on each row (nil: unlabelled). `e2e-a` is
    /// labelled true, then false: the later label wins.
    static let truths: [String: [Bool?]] = [
        "e2e-a": [false],
        "e2e-b": [true, false, false],
        "e2e-c": [true, false],
        "e2e-d": [false, true, true, false],
        "e2e-e": [nil],
    ]

    static func post(_ url: String, body: String, headers: [(String, String)] = []) async throws -> (Int, String, HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)), response.headers)
    }

    static func exported(_ setup: ModelLifecycleEndToEndTests.Setup, _ extra: String...) async throws -> (rows: [ExportedRow], output: ProcessOutput) {
        let output = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path, "-o", "jsonl"] + extra)
        let rows = try output.stdout.split(separator: "\n").map { try JSONDecoder().decode(ExportedRow.self, from: Data($0.utf8)) }
        return (rows, output)
    }

    /// Waits (the gateway writes its log within about a second) until the export has `count` rows.
    static func export(_ setup: ModelLifecycleEndToEndTests.Setup, rows count: Int, _ extra: String...) async throws -> [ExportedRow] {
        var rows: [ExportedRow] = []
        let arrived = try await eventually(timeout: .seconds(15)) {
            let output = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path, "-o", "jsonl"] + extra)
            #expect(output.status == 0, "\(output.stderr)")
            rows = try output.stdout.split(separator: "\n").map { try JSONDecoder().decode(ExportedRow.self, from: Data($0.utf8)) }
            if rows.count < count { try await Task.sleep(for: .milliseconds(200)) }
            return rows.count >= count
        }
        #expect(arrived, "\(rows.count) rows of \(count)")
        return rows
    }

    /// The quickstart reconciled once, the requests sent through its gateway, their rows
    /// checked in the export, then labels posted (HTTP and `sextant feedback --csv`) while
    /// no daemon runs, and the daemon started again: the truths are joined per row.
    static func labelledQuickstart() async throws -> ModelLifecycleEndToEndTests.Setup {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let reconciled = try await setup.reconcile()
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        let gateway = "http://127.0.0.1:\(setup.gatewayPort)"

        // `reconcile --once` has exited: the gateway it started serves on, with no daemon.
        var sent = Self.requests
        for index in sent.indices {
            let (status, answer, headers) = try await post(gateway + "/v2/models/fraud-detector/infer", body: sent[index].body,
                                                           headers: [("X-Request-Id", sent[index].id), ("Content-Type", "application/json")])
            #expect(status == 200 && headers.first(name: "X-Request-Id") == sent[index].id, "\(answer)")
            // JSONDecoder, not JSONSerialization: the latter rounds some doubles' last digit.
            let outputs = try JSONDecoder().decode(Answer.self, from: Data(answer.utf8)).outputs
            let predict = try #require(outputs.first { $0.name == "predict" }?.data.map(\.flag), "\(answer)")
            let probability = try #require(outputs.first { $0.name == "predict_proba" }, "\(answer)")
            let classes = try #require(probability.parameters?.classes)
            let flat = probability.data.map(\.number)
            #expect(predict.count == sent[index].amount.count && flat.count == 2 * predict.count)
            let (falseColumn, trueColumn) = (try #require(classes.firstIndex(of: "false")), try #require(classes.firstIndex(of: "true")))
            sent[index].predict = predict
            sent[index].proba = predict.indices.map { [flat[2 * $0 + falseColumn], flat[2 * $0 + trueColumn]] }
        }

        // Exactly the features sent and the answers returned, row by row, in order.
        let expected = sent.flatMap { exchange in
            exchange.predict.indices.map { row in
                ExportedRow(requestId: exchange.id, row: row, revision: 1, version: 1, amount: exchange.amount[row], hour: exchange.hour[row],
                            merchantRisk: exchange.merchantRisk[row], accountAgeDays: exchange.accountAgeDays[row], predict: exchange.predict[row],
                            probaFalse: exchange.proba[row][0], probaTrue: exchange.proba[row][1])
            }
        }
        let rows = try await export(setup, rows: expected.count)
        #expect(rows == expected)

        // Labels while no daemon runs: JSON to the gateway (a single truth for a one-row
        // request, a list for three rows, one `row`), then the CLI's CSV (rows by number; a
        // later label for e2e-a replaces the first).
        let (status, receipt, _) = try await post(gateway + "/v2/models/fraud-detector/feedback", body: """
            {"feedback": [{"id": "e2e-a", "truth": true}, {"id": "e2e-b", "truth": [true, false, false]},
                          {"id": "e2e-c", "row": 1, "truth": false}]}
            """)
        #expect(status == 202 && receipt.contains(#""accepted":3"#), "\(receipt)")
        let labels = setup.state.path + "/labels.csv"
        try "id,row,truth\ne2e-c,0,true\ne2e-d,0,false\ne2e-d,1,true\ne2e-d,2,true\ne2e-d,3,false\ne2e-a,,false\n"
            .write(toFile: labels, atomically: true, encoding: .utf8)
        let fed = try await setup.run(["feedback", "fraud-detector", "--csv", labels, "--gateway", gateway])
        #expect(fed.status == 0 && fed.stdout.contains("fraud-detector: 6 accepted, 0 rejected"), "\(fed.stdout)\(fed.stderr)")

        // The daemon starts again (adopting the gateway), and the labels are there, per row.
        let again = try await setup.reconcile()
        #expect(again.status == 0, "\(again.stderr)")
        var joined: [ExportedRow] = []
        let labelled = try await eventually(timeout: .seconds(15)) {
            joined = try await exported(setup, "--with-feedback").rows
            if joined.map(\.truth) != expected.map({ truths[$0.requestId]?[$0.row] ?? nil }) { try await Task.sleep(for: .milliseconds(200)) }
            return joined.map(\.truth) == expected.map { truths[$0.requestId]?[$0.row] ?? nil }
        }
        #expect(labelled, "\(joined.map { "\($0.requestId)/\($0.row): \($0.truth.map(String.init) ?? "-")" })")
        #expect(joined.map { row in var copy = row; copy.truth = nil; return copy } == expected, "the joined export has the same rows")
        return setup
    }

    @Test("rows sent as OIP JSON come back exactly as sent and answered; labels posted with no daemon running are joined per row; errors are one line")
    func jsonRowsAndLabels() async throws {
        let setup = try await Self.labelledQuickstart()
        let version = try #require(try SQLiteStore(readingFrom: setup.state.path).registries()["fraud-detector"]?.version(1))
        #expect(version.task == .binaryClassification && version.classes == ["false", "true"], "what the signature is made of is recorded at training")

        // Filters and errors.
        #expect(try await Self.exported(setup, "--revision", "1", "--since", "1h").rows.count == 11)
        #expect(try await Self.exported(setup, "--since", "1ms").rows.isEmpty, "every row is older than a millisecond by now")
        let csv = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path])
        #expect(csv.stdout.hasPrefix("requestId,row,time,revision,version,amount,hour,merchant_risk,account_age_days,predict,proba.false,proba.true\r\n"),
                "\(csv.stdout.prefix(200))")
        for (arguments, message) in [
            (["fraud-detectr"], #"error: no model fraud-detectr in \#(setup.state.path); did you mean "fraud-detector"?"#),
            (["fraud-detector", "--since", "soon"], "error: --since soon is not a duration; write a number and a unit: 90s, 30m, 1h, 7d"),
            (["fraud-detector", "--revision", "9"], "error: --revision 9: fraud-detector has no such revision (it has r1); `sextant history fraud-detector` lists them"),
        ] {
            let failed = try await setup.run(["predictions"] + arguments + ["--state-dir", setup.state.path])
            #expect(failed.status == 2 && failed.stdout.isEmpty && failed.stderr == message + "\n", "\(failed.stderr)")
        }
        let missing = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path + "/nowhere"])
        #expect(missing.status == 2 && missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("nowhere: no such state directory"),
                "\(missing.stderr)")
    }

    @Test("the online accuracy and AUC of the joined rows equal scikit-learn's to 1e-9",
          .enabled(if: sklearnPython != nil, "needs SEXTANT_MLSERVER_PYTHON: a python with scikit-learn (.ci/run installs it)"))
    func onlineMetricsEqualScikitLearn() async throws {
        let setup = try await Self.labelledQuickstart()
        let exported = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path, "--with-feedback"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let file = setup.state.path + "/joined.csv"
        try exported.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let reference = try await runProcess(try #require(Self.sklearnPython), [packageRoot + "/scripts/online-metrics-sklearn.py", file, "true"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let sklearn = try JSONDecoder().decode([String: Double].self, from: Data(reference.stdout.utf8))

        // The same rows read back in-process, as the daemon reads them.
        let version = try #require(try SQLiteStore(readingFrom: setup.state.path).registries()["fraud-detector"]?.version(1))
        #expect(version.task == .binaryClassification)
        let signature = ModelSignature(features: try #require(version.features).map(\.name), task: .binaryClassification, classes: version.classes ?? [])
        var log = ProductionLog(state: setup.state.path, model: "fraud-detector")
        try log.readOn(signature: signature)
        let online = OnlineMetrics(revision: 1, rows: log.joined.rows, signature: signature, window: 1000)
        #expect(online.rows == 11 && online.labelledRows == 10 && online.windowRows == 10)
        #expect(sklearn["rows"] == 10)
        let ours = Dictionary(online.metrics.compactMap { metric in metric.value.map { (metric.name.rawValue, $0) } }, uniquingKeysWith: { $1 })
        for name in ["accuracy", "auc"] {
            let value = try #require(ours[name], "\(name) in \(ours)")
            let expected = try #require(sklearn[name])
            #expect(abs(value - expected) <= 1e-9, "\(name): ours \(value), scikit-learn \(expected)")
        }
    }

    @Test("rows sent with tritonclient's binary defaults come back exactly as sent and answered (NaN as missing)",
          .enabled(if: tritonclientPython != nil, "needs SEXTANT_TRITONCLIENT_PYTHON: a python with tritonclient[http] and numpy (.ci/run installs them)"))
    func tritonclientRows() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        let reconciled = try await setup.reconcile()
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        struct Sent: Decodable {
            var inputs: [String: [Double?]]
            var predict: [Bool]
            var probabilities: [[Double]]
            var classes: [String]

            enum CodingKeys: String, CodingKey {
                case inputs, predict, classes
                case probabilities = "predict_proba"
            }
        }
        var sent: [(id: String, Sent)] = []
        for id in ["tc-1", "tc-2"] {
            let client = try await runProcess(try #require(Self.tritonclientPython),
                                              [packageRoot + "/scripts/tritonclient-infer.py", "127.0.0.1:\(setup.gatewayPort)", "fraud-detector", id])
            #expect(client.status == 0, "\(client.stderr)")
            sent.append((id, try JSONDecoder().decode(Sent.self, from: Data(client.stdout.utf8))))
        }
        let expected = sent.flatMap { id, exchange in
            exchange.predict.indices.map { row in
                ExportedRow(requestId: id, row: row, revision: 1, version: 1, amount: exchange.inputs["amount"]?[row] ?? nil,
                            hour: exchange.inputs["hour"]?[row].flatMap { Int($0) }, merchantRisk: exchange.inputs["merchant_risk"]?[row] ?? nil,
                            accountAgeDays: exchange.inputs["account_age_days"]?[row].flatMap { Int($0) }, predict: exchange.predict[row],
                            probaFalse: exchange.probabilities[row][exchange.classes.firstIndex(of: "false") ?? 0],
                            probaTrue: exchange.probabilities[row][exchange.classes.firstIndex(of: "true") ?? 1])
            }
        }
        #expect(expected.contains { $0.amount == nil }, "the script sends a NaN amount")
        let rows = try await Self.export(setup, rows: expected.count)
        #expect(rows == expected)
    }
}
