import Foundation
@testable import SextantMonitoring
import Testing

@Suite struct FeedbackJoinTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Request `one` has one row, `three` has three.
    static let predictions: [PredictionRow] = {
        let row = DecodedRow(features: [.number(1)], predict: .boolean(true))
        return PredictionRow.rows(requestId: "one", time: t0, revision: 1, version: 1, decoded: [row])
            + PredictionRow.rows(requestId: "three", time: t0, revision: 1, version: 1, decoded: [row, row, row])
    }()

    static func item(_ id: String, row: Int? = nil, _ truth: LabelTruth?, kpi: [String: Double] = [:], at seconds: Double) -> FeedbackItem {
        FeedbackItem(id: id, row: row, truth: truth, kpi: kpi, time: t0.addingTimeInterval(seconds))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var feedback: [FeedbackItem]
        /// Truth per row: one, three/0, three/1, three/2.
        var truths: [RowValue?]
        var problems: [FeedbackProblem.Reason] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no feedback: nothing labelled", feedback: [], truths: [nil, nil, nil, nil]),
        Case(name: "a single truth labels a single-row request",
             feedback: [item("one", .value(.boolean(false)), at: 5)], truths: [.boolean(false), nil, nil, nil]),
        Case(name: "a list gives element i to row i",
             feedback: [item("three", .perRow([.boolean(true), .null, .boolean(false)]), at: 5)], truths: [nil, .boolean(true), nil, .boolean(false)]),
        Case(name: "a row addresses that row only",
             feedback: [item("three", row: 2, .value(.integer(1)), at: 5)], truths: [nil, nil, nil, .integer(1)]),
        Case(name: "the later label replaces the earlier, whatever order they arrive in",
             feedback: [item("one", .value(.boolean(true)), at: 9), item("one", .value(.boolean(false)), at: 5)], truths: [.boolean(true), nil, nil, nil]),
        Case(name: "at the same time, the one given last wins",
             feedback: [item("one", .value(.boolean(false)), at: 5), item("one", .value(.boolean(true)), at: 5)], truths: [.boolean(true), nil, nil, nil]),
        Case(name: "a later row label replaces one element of an earlier list",
             feedback: [item("three", .perRow([.boolean(true), .boolean(true), .boolean(true)]), at: 1), item("three", row: 1, .value(.boolean(false)), at: 2)],
             truths: [nil, .boolean(true), .boolean(false), .boolean(true)]),
        Case(name: "a later null truth erases nothing",
             feedback: [item("one", .value(.boolean(true)), at: 1), item("one", .value(.null), at: 2)], truths: [.boolean(true), nil, nil, nil]),
        Case(name: "a single truth for a multi-row request is ambiguous: not joined",
             feedback: [item("three", .value(.boolean(true)), at: 1)], truths: [nil, nil, nil, nil], problems: [.singleTruthForManyRows]),
        Case(name: "a list of the wrong length is not joined",
             feedback: [item("three", .perRow([.boolean(true), .boolean(true)]), at: 1)], truths: [nil, nil, nil, nil], problems: [.listLength]),
        Case(name: "a row past the request's rows",
             feedback: [item("three", row: 3, .value(.boolean(true)), at: 1)], truths: [nil, nil, nil, nil], problems: [.rowOutOfRange]),
        Case(name: "an id without a logged prediction",
             feedback: [item("gone", .value(.boolean(true)), at: 1), item("one", .value(.boolean(true)), at: 2)],
             truths: [.boolean(true), nil, nil, nil], problems: [.noPrediction]),
    ]

    @Test("truths join by id and row; later replaces earlier", arguments: cases)
    func join(_ item: Case) {
        let joined = FeedbackJoin(predictions: Self.predictions, feedback: item.feedback)
        #expect(joined.rows.map(\.truth) == item.truths)
        #expect(joined.rows.map(\.prediction) == Self.predictions, "every prediction row, in order")
        #expect(joined.problems.map(\.reason) == item.problems)
    }

    @Test("KPIs: by name, later replaces earlier; without a row they go to row 0 once")
    func kpis() {
        let feedback = [Self.item("three", nil, kpi: ["revenue": 10, "clicks": 2], at: 1),
                        Self.item("three", nil, kpi: ["revenue": 12], at: 2),
                        Self.item("three", row: 2, nil, kpi: ["clicks": 1], at: 3)]
        let joined = FeedbackJoin(predictions: Self.predictions, feedback: feedback)
        #expect(joined.rows.map(\.kpi) == [[:], ["revenue": 12, "clicks": 2], [:], ["clicks": 1]])
        #expect(joined.rows.allSatisfy { $0.truth == nil })
    }

    @Test("a problem names the request and what to send instead")
    func message() {
        let joined = FeedbackJoin(predictions: Self.predictions, feedback: [Self.item("three", .value(.boolean(true)), at: 1)])
        #expect(joined.problems.first?.message == "feedback for request three: one truth for a request of 3 rows; send a list with one value per row, or give row")
        #expect(joined.problems.first?.item == 0)
    }
}
