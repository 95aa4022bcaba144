import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantCore
import SextantWire
import SextantTestSupport
import Testing

/// A classified column (DESIGN §9) as built: refused as a feature without an allowance,
/// trained with one, and never written in clear under the state directory — the prediction
/// log holds keyed hashes of its values, whatever form the request took.
@Suite(.serialized) struct PrivacyEndToEndTests {
    /// Postcodes the requests carry: distinctive, so any copy of one in a file is found.
    static let postcodes: [Int64] = [8_675_309, 7_350_221, 6_021_447]

    /// The quickstart with a `postcode` column, `classification: confidential`, as a feature.
    static func files(allowance: Bool) throws -> [String: String] {
        var files = try ModelLifecycleEndToEndTests.Setup.files(of: "quickstart")
        let contract = try #require(files["contracts/transactions.odcs.yaml"])
        files["contracts/transactions.odcs.yaml"] = contract.replacingOccurrences(of: "      - name: region\n", with: """
                  - name: postcode
                    logicalType: integer
                    description: Postcode of the account holder.
                    required: true
                    classification: confidential
                  - name: region

            """)
        let data = try #require(files["data/transactions.csv"])
        files["data/transactions.csv"] = data.split(separator: "\n").enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let postcode = index == 0 ? "postcode" : String(1_000_000 + (index * 7919) % 900_000)
            return (fields.dropLast(2) + [Substring(postcode)] + fields.suffix(2)).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
        let model = try #require(files["models/fraud-detector.yaml"])
        var edited = model.replacingOccurrences(of: "features: [amount, hour, merchant_risk, account_age_days]",
                                                with: "features: [amount, hour, merchant_risk, account_age_days, postcode]")
        if allowance {
            edited += """
                  privacy:
                    allowClassified:
                      - {column: postcode, reason: Fraud rings cluster by area; approved by the privacy review.}

                """
        }
        files["models/fraud-detector.yaml"] = edited
        return files
    }

    static func infer(_ url: String, body: [UInt8], headers: [(String, String)]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// A request in the binary tensor extension: the JSON header, then each input's values.
    static func binaryRequest(amount: Double, hour: Int64, risk: Double, age: Int64, postcode: Int64) -> (body: [UInt8], headerLength: Int) {
        func input(_ name: String, _ datatype: String) -> String {
            #"{"name":"\#(name)","datatype":"\#(datatype)","shape":[1],"parameters":{"binary_data_size":8}}"#
        }
        let header = #"{"inputs":["# + [input("amount", "FP64"), input("hour", "INT64"), input("merchant_risk", "FP64"),
                                         input("account_age_days", "INT64"), input("postcode", "INT64")].joined(separator: ",") + "]}"
        var body = Array(header.utf8)
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { body += $0 } }
        append(amount.bitPattern.littleEndian)
        append(hour.littleEndian)
        append(risk.bitPattern.littleEndian)
        append(age.littleEndian)
        append(postcode.littleEndian)
        return (body, header.utf8.count)
    }

    static func jsonRequest(_ postcodes: [Int64]) -> String {
        let count = postcodes.count
        func input(_ name: String, _ datatype: String, _ value: String) -> String {
            #"{"name":"\#(name)","datatype":"\#(datatype)","shape":[\#(count)],"data":[\#(Array(repeating: value, count: count).joined(separator: ","))]}"#
        }
        return #"{"inputs":["# + [input("amount", "FP64", "120.5"), input("hour", "INT64", "14"), input("merchant_risk", "FP64", "0.4"),
                                   input("account_age_days", "INT64", "400"),
                                   #"{"name":"postcode","datatype":"INT64","shape":[\#(count)],"data":[\#(postcodes.map(String.init).joined(separator: ","))]}"#]
            .joined(separator: ",") + "]}"
    }

    @Test("a classified feature fails validate at its line; allowed, it trains and its values reach the state directory only as keyed hashes")
    func classifiedFeature() async throws {
        let setup = try await ModelLifecycleEndToEndTests.Setup(example: "quickstart")
        try setup.repository.commit("postcode, not allowed", files: try Self.files(allowance: false))
        let refused = try await setup.run(["validate", setup.repository.path])
        let line = try #require(try Self.files(allowance: false)["models/fraud-detector.yaml"]?.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("features:") }) + 1
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("/models/fraud-detector.yaml:\(line):")
                && refused.stdout.contains("spec.features[4]: postcode is classified confidential in the contract")
                && refused.stdout.contains("add privacy.allowClassified: [{column: postcode, reason: …}]"), "\(refused.stdout)")
        let unclassified = try await setup.run(["validate", setup.repository.path, "--classified", "restricted"])
        #expect(unclassified.status == 0, "\(unclassified.stdout)")

        try setup.repository.commit("postcode allowed", files: try Self.files(allowance: true))
        let allowed = try await setup.run(["validate", setup.repository.path])
        #expect(allowed.status == 0, "\(allowed.stdout)")
        let reconciled = try await setup.reconcile()
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        #expect(try setup.model(reconciled, "fraud-detector").phase == .serving, "\(reconciled.stdout)")
        // The model card lists the classified column with its classification and reason.
        let card = try await setup.run(["card", "fraud-detector", "--state-dir", setup.state.path])
        #expect(card.status == 0, "\(card.stderr)")
        #expect(card.stdout.contains("| `postcode` | confidential | Fraud rings cluster by area; approved by the privacy review. |"), "\(card.stdout)")

        let url = "http://127.0.0.1:\(setup.gatewayPort)/v2/models/fraud-detector/infer"
        let json = [("X-Request-Id", "privacy-json"), ("Content-Type", "application/json")]
        #expect(try await Self.infer(url, body: Array(Self.jsonRequest([Self.postcodes[0], Self.postcodes[1], Self.postcodes[0]]).utf8), headers: json) == 200)
        let binary = Self.binaryRequest(amount: 920, hour: 3, risk: 0.93, age: 4, postcode: Self.postcodes[2])
        #expect(try await Self.infer(url, body: binary.body, headers: [("X-Request-Id", "privacy-binary"),
                                                                     ("Inference-Header-Content-Length", String(binary.headerLength))]) == 200)
        // A request the server refuses, and the log cannot decode: logged without its body.
        let broken = #"{"inputs":[{"name":"postcode","datatype":"INT64","shape":[1],"data":[\#(Self.postcodes[1])"#
        #expect(try await Self.infer(url, body: Array(broken.utf8), headers: [("X-Request-Id", "privacy-broken")]) == 400)
        let feedback = #"{"feedback": [{"id": "privacy-json", "truth": [true, false, true]}, {"id": "privacy-binary", "truth": true}]}"#
        #expect(try await Self.infer("http://127.0.0.1:\(setup.gatewayPort)/v2/models/fraud-detector/feedback", body: Array(feedback.utf8), headers: []) == 202)

        // The export: postcode as hashes (the same postcode, the same hash), the rest in clear.
        var rows: [[String: Any]] = []
        let arrived = try await eventually(timeout: .seconds(15)) {
            let output = try await setup.run(["predictions", "fraud-detector", "--state-dir", setup.state.path, "-o", "jsonl"])
            rows = try output.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            if rows.count < 4 { try await Task.sleep(for: .milliseconds(200)) }
            return rows.count >= 4
        }
        #expect(arrived, "\(rows)")
        let hashes = rows.map { $0["postcode"] as? String ?? "" }
        #expect(hashes.allSatisfy { $0.hasPrefix("hmac:") && $0.count == 5 + 32 }, "\(rows)")
        #expect(hashes[0] == hashes[2] && hashes[0] != hashes[1] && Set(hashes).count == 3, "\(hashes)")
        #expect(rows[0]["amount"] as? Double == 120.5 && rows[3]["amount"] as? Double == 920 && rows[3]["hour"] as? Int == 3, "\(rows)")

        // The broken request was written without its body, and counted.
        var metrics = HTTPClientRequest(url: "http://127.0.0.1:\(setup.gatewayPort)/metrics")
        metrics.method = .GET
        let metricsText = String(buffer: try await HTTPClient.shared.execute(metrics, timeout: .seconds(10)).body.collect(upTo: 1 << 20))
        #expect(metricsText.contains(#"sextant_gateway_prediction_log_requests_left_out_total{model="fraud-detector"} 1"#)
                && metricsText.contains(#"sextant_gateway_prediction_log_records_total{model="fraud-detector",result="written"} 3"#), "\(metricsText)")

        // A classified column the model does not use (the quickstart's `region`), and an alias
        // of the postcode outside the contract, sent anyway: hashed, and left out.
        let region = #"{"inputs":[{"name":"amount","datatype":"FP64","shape":[1],"data":[1]},{"name":"hour","datatype":"INT64","shape":[1],"data":[1]},"#
            + #"{"name":"merchant_risk","datatype":"FP64","shape":[1],"data":[0.1]},{"name":"account_age_days","datatype":"INT64","shape":[1],"data":[9]},"#
            + #"{"name":"postcode","datatype":"INT64","shape":[1],"data":[\#(Self.postcodes[2])]},"#
            + #"{"name":"zip_copy","datatype":"INT64","shape":[1],"data":[\#(Self.postcodes[1])]},{"name":"region","datatype":"BYTES","shape":[1],"data":["apac"]}]}"#
        _ = try await Self.infer(url, body: Array(region.utf8), headers: [("X-Request-Id", "privacy-region"), ("Content-Type", "application/json")])
        var logged = ""
        let regionLogged = try await eventually(timeout: .seconds(15)) {
            logged = String(buffer: try await HTTPClient.shared.execute(metrics, timeout: .seconds(10)).body.collect(upTo: 1 << 20))
            let done = logged.contains(#"sextant_gateway_prediction_log_records_total{model="fraud-detector",result="written"} 4"#)
            if !done { try await Task.sleep(for: .milliseconds(200)) }
            return done
        }
        #expect(regionLogged, "\(logged)")

        // Nowhere in clear: the prediction log, feedback, every *.log, the events.
        let events = try await setup.run(["events", "--state-dir", setup.state.path, "-o", "json"])
        #expect(events.status == 0, "\(events.stderr)")
        var searched: [(String, [UInt8])] = [("sextant events", Array(events.stdout.utf8))]
        let enumerator = try #require(FileManager.default.enumerator(atPath: setup.state.path))
        for case let path as String in enumerator
        where path.hasPrefix("predictions/") || path.hasPrefix("feedback/") || path.hasSuffix(".log") || path.hasPrefix("state.sqlite") {
            guard let data = FileManager.default.contents(atPath: setup.state.path + "/" + path) else { continue }
            searched.append((path, Array(data)))
        }
        #expect(searched.contains { $0.0.hasPrefix("predictions/") } && searched.contains { $0.0.hasSuffix(".log") }, "\(searched.map(\.0))")
        for (path, bytes) in searched where path.hasPrefix("predictions/") {
            #expect(!Self.contains(bytes, Array(#""apac""#.utf8)), "the region in clear in \(path)")
        }
        for postcode in Self.postcodes {
            let text = Array(String(postcode).utf8)
            let binary = withUnsafeBytes(of: postcode.littleEndian) { Array($0) }
            for (path, bytes) in searched {
                #expect(!Self.contains(bytes, text) && !Self.contains(bytes, binary), "\(postcode) in clear in \(path)")
            }
        }
        // Nor the training rows' postcodes (evaluation sends the holdout through a server).
        let dataset = Set((1...2_400).map { String(1_000_000 + ($0 * 7919) % 900_000) })
        for (path, bytes) in searched {
            let runs = String(decoding: bytes, as: UTF8.self).split { !$0.isASCII || !$0.isNumber }.map(String.init)
            #expect(!runs.contains(where: dataset.contains), "a training postcode in clear in \(path)")
        }

        // The key: made once, readable by its owner only; the hashes are HMACs with it.
        let keyFile = try FileManager.default.attributesOfItem(atPath: PredictionLogKey.path(state: setup.state.path))
        #expect(keyFile[.posixPermissions] as? Int == 0o600 && keyFile[.size] as? Int == 32)
        let key = try PredictionLogKey.loadOrCreate(state: setup.state.path)
        #expect(hashes == [Self.postcodes[0], Self.postcodes[1], Self.postcodes[0], Self.postcodes[2]].map { key.hash(String($0)) })

        // Drift's reference sample holds the training rows' postcodes hashed the same way.
        let reference = try String(contentsOfFile: setup.state.path + "/models/fraud-detector/v1.reference/rows.csv", encoding: .utf8)
        let lines = reference.split(separator: "\n")
        let column = try #require(lines.first?.split(separator: ",").firstIndex(of: "postcode"), "\(lines.first ?? "")")
        let trained = Set((1...2_400).map { key.hash(String(1_000_000 + ($0 * 7919) % 900_000)) })
        #expect(lines.count > 1_000 && lines.dropFirst().allSatisfy { trained.contains(String($0.split(separator: ",")[column])) }, "\(lines.prefix(3))")
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
