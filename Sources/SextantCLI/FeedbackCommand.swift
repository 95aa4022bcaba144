import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SextantML
import SextantWire

struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Send labels (and business figures) for logged predictions to the gateway.",
        discussion: """
            Reads a CSV file with a header: `id` (the request id a prediction was
            answered with, X-Request-Id), optional `row` (which row of that request,
            from 0), `truth` (the label: true/false, a number or text) and any number of
            `kpi.NAME` columns (numbers). It posts them to POST
            /v2/models/MODEL/feedback in batches of at most 10,000 and prints how many the
            gateway accepted, and each rejected item with its CSV line and why. Works
            while the daemon is down: the gateway stores feedback in STATE/feedback/MODEL/.
            Exits 1 when an item was rejected.

            Examples:
              sextant feedback fraud-detector \\
                  --csv examples/quickstart/requests/labels.csv
              sextant feedback fraud-detector --gateway http://127.0.0.1:8080 \\
                  --csv examples/quickstart/requests/labels.csv
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(help: ArgumentHelp("Labels as CSV: id, optional row, truth, kpi.NAME… columns.", valueName: "file"))
    var csv: String

    @Option(help: ArgumentHelp("The gateway's URL.", valueName: "url"))
    var gateway: String = "http://127.0.0.1:8080"

    static let batchSize = 10_000

    func run() async throws {
        let (items, lines) = try readItems()
        let base = gateway.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var accepted = 0
        var rejected: [(line: Int, error: String)] = []
        for start in stride(from: 0, to: items.count, by: Self.batchSize) {
            let batch = Array(items[start..<min(start + Self.batchSize, items.count)])
            let receipt = try await send(batch, base: base)
            accepted += receipt.accepted
            for rejection in receipt.rejected where batch.indices.contains(rejection.index) {
                rejected.append((lines[start + rejection.index], rejection.error))
            }
        }
        print("\(model): \(accepted) accepted, \(rejected.count) rejected (of \(items.count) in \(csv))")
        for (line, error) in rejected.prefix(50) { print("  \(csv):\(line): \(error)") }
        if rejected.count > 50 { print("  … and \(rejected.count - 50) more") }
        if !rejected.isEmpty { throw ExitCode(1) }
    }

    /// The items, and the CSV line each came from.
    private func readItems() throws -> ([FeedbackItem], [Int]) {
        guard let data = FileManager.default.contents(atPath: csv) else { throw CommandFailure(message: "--csv \(csv): cannot read the file") }
        let table: CSVTable
        do throws(CSVError) {
            table = try CSVTable(Array(data))
        } catch {
            throw CommandFailure(message: "\(csv):\(error.line): \(error.message)")
        }
        guard let id = table.header.firstIndex(of: "id") else {
            throw CommandFailure(message: "\(csv):1: no `id` column: the header needs id, truth (or kpi.NAME columns), and optionally row")
        }
        let row = table.header.firstIndex(of: "row")
        let truth = table.header.firstIndex(of: "truth")
        let kpis = table.header.indices.filter { table.header[$0].hasPrefix("kpi.") && table.header[$0].count > 4 }
        guard truth != nil || !kpis.isEmpty else { throw CommandFailure(message: "\(csv):1: no `truth` and no `kpi.NAME` column: nothing to send") }
        var items: [FeedbackItem] = []
        var lines: [Int] = []
        for index in 0..<table.rowCount {
            let line = table.line(ofRow: index)
            func cell(_ column: Int?) -> String? {
                guard let column, let text = table.text(row: index, column: column), !text.isEmpty else { return nil }
                return text
            }
            var figures: [String: Double] = [:]
            for column in kpis {
                guard let text = cell(column) else { continue }
                guard let value = Double(text), value.isFinite else {
                    throw CommandFailure(message: "\(csv):\(line): \(table.header[column]) \"\(text)\" is not a number")
                }
                figures[String(table.header[column].dropFirst(4))] = value
            }
            var rowNumber: Int?
            if let text = cell(row) {
                guard let value = Int(text), value >= 0 else { throw CommandFailure(message: "\(csv):\(line): row \"\(text)\" is not a whole number from 0") }
                rowNumber = value
            }
            items.append(FeedbackItem(id: cell(id) ?? "", row: rowNumber, truth: cell(truth).map { .scalar(FeedbackScalar(csv: $0)) },
                                      kpi: figures.isEmpty ? nil : figures))
            lines.append(line)
        }
        return (items, lines)
    }

    private func send(_ items: [FeedbackItem], base: String) async throws -> FeedbackReceipt {
        var request = HTTPClientRequest(url: "\(base)/v2/models/\(model)/feedback")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(["feedback": items])))
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await CommandHTTPClient.shared.execute(request, timeout: .seconds(60))
            status = response.status.code
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw CommandFailure(message: ConnectionFailure.message(error, url: base, peer: .gateway))
        }
        guard status == 202, let receipt = try? JSONDecoder().decode(FeedbackReceipt.self, from: Data(body.readableBytesView)) else {
            let message = (try? JSONDecoder().decode([String: String].self, from: Data(body.readableBytesView)))?["error"] ?? String(buffer: body)
            throw CommandFailure(message: "\(model): HTTP \(status) from \(base): \(message)")
        }
        return receipt
    }
}
