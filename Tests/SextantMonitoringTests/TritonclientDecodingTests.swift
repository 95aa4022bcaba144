import Foundation
import SextantML
@testable import SextantMonitoring
import SextantTestSupport
import Testing

/// A request body made by the real `tritonclient` (its default binary protocol), decoded as
/// the prediction log decodes it.
@Suite struct TritonclientDecodingTests {
    static let python = ProcessInfo.processInfo.environment["SEXTANT_TRITONCLIENT_PYTHON"]

    @Test("tritonclient's binary request decodes into typed rows",
          .enabled(if: python != nil, "needs SEXTANT_TRITONCLIENT_PYTHON: a python with tritonclient[http] and numpy (.ci/run installs them)"))
    func tritonclientRequest() async throws {
        let directory = try TemporaryDirectory("tritonclient-request")
        let file = directory.path + "/body"
        let made = try await runProcess(try #require(Self.python), [packageRoot + "/scripts/tritonclient-request.py", file])
        #expect(made.status == 0, "\(made.stderr)")
        let headerLength = try #require(Int(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let request = LoggedExchange.Body(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))),
                                          contentType: "application/octet-stream", headerLength: headerLength)
        let answer = Bodies.binary("outputs", [
            ("predict", "BOOL", [3], [1, 0, 1]),
            ("predict_proba", "FP64", [3, 2], [0.25, 0.75, 0.875, 0.125, 0.5, 0.5].flatMap { Bodies.little($0.bitPattern) }),
        ])
        let rows = try ExchangeDecoder.rows(of: LoggedExchange(request: request, answer: answer), signature: Bodies.signature)
        #expect(rows.map(\.features) == [
            [.number(12.5), .integer(23), .string("eu"), .boolean(true)],
            [.null, .integer(0), .string(#"café, "north""#), .boolean(false)],
            [.number(3), .integer(7), .string(""), .boolean(true)],
        ])
        #expect(rows.map(\.predict) == [.boolean(true), .boolean(false), .boolean(true)])
        #expect(rows[2].probabilities == [0.5, 0.5])
    }
}
