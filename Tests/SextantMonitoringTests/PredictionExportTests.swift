import Foundation
import SextantML
@testable import SextantMonitoring
import SextantTestSupport
import Testing

@Suite struct PredictionExportTests {
    static let signature = ModelSignature(features: ["amount", "hour", "note", "card_present"], task: .binaryClassification, classes: ["true", "false"])

    static let rows: [JoinedRow] = [
        JoinedRow(prediction: PredictionRow(requestId: "r-1", row: 0, time: Date(timeIntervalSince1970: 1_700_000_000.25), revision: 3, version: 2,
                                            values: DecodedRow(features: [.number(12.5), .integer(23), .string("say \"hi\", then\nleave"), .boolean(true)],
                                                               predict: .boolean(true), probabilities: [0.25, 0.75])),
                  truth: .boolean(false), kpi: ["revenue": 9.5]),
        JoinedRow(prediction: PredictionRow(requestId: "r-1", row: 1, time: Date(timeIntervalSince1970: 1_700_000_000.25), revision: 3, version: 2,
                                            values: DecodedRow(features: [.number(3), .null, .string("plain"), .boolean(false)], predict: nil, probabilities: nil))),
    ]

    @Test("CSV: DESIGN §7's columns, RFC 4180 quoting, CRLF, missing values empty")
    func csv() {
        let text = PredictionExport.render(Self.rows, format: .csv, signature: Self.signature, withFeedback: true)
        #expect(text == """
            requestId,row,time,revision,version,amount,hour,note,card_present,predict,proba.false,proba.true,truth,kpi.revenue\r
            r-1,0,2023-11-14T22:13:20.250Z,3,2,12.5,23,"say ""hi"", then
            leave",true,true,0.25,0.75,false,9.5\r
            r-1,1,2023-11-14T22:13:20.250Z,3,2,3.0,,plain,false,,,,,\r

            """)
        let plain = PredictionExport.render(Self.rows, format: .csv, signature: Self.signature, withFeedback: false)
        #expect(plain.hasPrefix("requestId,row,time,revision,version,amount,hour,note,card_present,predict,proba.false,proba.true\r\n"))
    }

    @Test("JSONL: one object per row, keys in column order, typed values")
    func jsonl() throws {
        let text = PredictionExport.render(Self.rows, format: .jsonl, signature: Self.signature, withFeedback: true)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2 && text.hasSuffix("\n"))
        #expect(lines[0] == #"{"requestId":"r-1","row":0,"time":"2023-11-14T22:13:20.250Z","revision":3,"version":2,"amount":12.5,"hour":23,"note":"say \"hi\", then\nleave","card_present":true,"predict":true,"proba.false":0.25,"proba.true":0.75,"truth":false,"kpi.revenue":9.5}"#)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["hour"] is NSNull && second["predict"] is NSNull && second["truth"] is NSNull)
        #expect(second["amount"] as? Double == 3)
    }

    @Test("a regression export has no probability columns; control characters are escaped")
    func regression() {
        let signature = ModelSignature(features: ["x"], task: .regression, classes: ["ignored"])
        let export = PredictionExport(format: .jsonl, signature: signature, kpiNames: nil)
        #expect(export.columns == ["requestId", "row", "time", "revision", "version", "x", "predict"])
        let row = JoinedRow(prediction: PredictionRow(requestId: "q\u{1}", row: 0, time: Date(timeIntervalSince1970: 0), revision: 1, version: 1,
                                                      values: DecodedRow(features: [.string("tab\there")], predict: .number(1e-5))))
        #expect(export.line(row) == #"{"requestId":"q\u0001","row":0,"time":"1970-01-01T00:00:00.000Z","revision":1,"version":1,"x":"tab\there","predict":1e-05}"# + "\n")
    }
}
