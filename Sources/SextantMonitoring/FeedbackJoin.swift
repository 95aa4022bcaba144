/// A prediction row with the feedback joined to it.
package struct JoinedRow: Sendable, Hashable {
    package var prediction: PredictionRow
    /// The newest truth given for the row; nil while it is unlabelled.
    package var truth: RowValue?
    /// The newest value of each KPI given for the row.
    package var kpi: [String: Double]

    package init(prediction: PredictionRow, truth: RowValue? = nil, kpi: [String: Double] = [:]) {
        self.prediction = prediction
        self.truth = truth
        self.kpi = kpi
    }
}

/// Feedback joined to prediction rows by request id and row (DESIGN §7).
///
/// Items apply oldest first (by `time`, then in the order given), so a later value for the
/// same id and row replaces an earlier one; a `null` truth labels nothing and replaces
/// nothing. Which rows an item addresses:
/// * with `row`: that row (a list truth must then hold exactly one value);
/// * without `row`, a list truth: element i labels row i, and the list must hold one value
///   per row of the request;
/// * without `row`, a single truth: row 0 of a single-row request. For a request of several
///   rows it is ambiguous — which row, or all of them? — and is not joined (a problem
///   `singleTruthForManyRows`), rather than guessed;
/// * KPIs of an item without `row` describe the request and go to its row 0, so a request's
///   KPI counts once however many rows it has.
///
/// What cannot be joined is listed in `problems`, one per item, and joins nothing of that
/// item's truth (its KPIs still join where its row exists).
package struct FeedbackJoin: Sendable {
    /// The prediction rows in the order given, each with its feedback.
    package var rows: [JoinedRow]
    package var problems: [FeedbackProblem]

    package init(predictions: [PredictionRow], feedback: [FeedbackItem]) {
        struct Key: Hashable {
            var id: String
            var row: Int
        }
        var rowsOfRequest: [String: Int] = [:]
        for prediction in predictions {
            rowsOfRequest[prediction.requestId] = max(rowsOfRequest[prediction.requestId] ?? 0, prediction.row + 1)
        }
        var truths: [Key: RowValue] = [:]
        var kpis: [Key: [String: Double]] = [:]
        var problems: [FeedbackProblem] = []
        let order = feedback.indices.sorted { (feedback[$0].time, $0) < (feedback[$1].time, $1) }
        for index in order {
            let item = feedback[index]
            func problem(_ reason: FeedbackProblem.Reason, _ message: String) {
                problems.append(FeedbackProblem(item: index, id: item.id, reason: reason, message: "feedback for request \(item.id): \(message)"))
            }
            guard let rows = rowsOfRequest[item.id] else {
                problem(.noPrediction, "no logged prediction has this id (not sampled, past the log's retention, or never answered)")
                continue
            }
            if let row = item.row, !(0..<rows).contains(row) {
                problem(.rowOutOfRange, "row \(row) is not a row of the request, which has \(rows)")
                continue
            }
            let kpiRow = item.row ?? 0
            for (name, value) in item.kpi { kpis[Key(id: item.id, row: kpiRow), default: [:]][name] = value }
            var labels: [(row: Int, value: RowValue)] = []
            switch (item.truth, item.row) {
            case (nil, _):
                break
            case (.value(let value)?, let row?):
                labels = [(row, value)]
            case (.perRow(let values)?, let row?):
                guard values.count == 1 else {
                    problem(.listLength, "a truth for row \(row) is one value, not a list of \(values.count)")
                    continue
                }
                labels = [(row, values[0])]
            case (.perRow(let values)?, nil):
                guard values.count == rows else {
                    problem(.listLength, "the truth lists \(values.count) values for a request of \(rows) rows; send one per row")
                    continue
                }
                labels = values.enumerated().map { ($0, $1) }
            case (.value(let value)?, nil):
                guard rows == 1 else {
                    problem(.singleTruthForManyRows, "one truth for a request of \(rows) rows; send a list with one value per row, or give row")
                    continue
                }
                labels = [(0, value)]
            }
            for (row, value) in labels where value != .null { truths[Key(id: item.id, row: row)] = value }
        }
        self.rows = predictions.map { prediction in
            let key = Key(id: prediction.requestId, row: prediction.row)
            return JoinedRow(prediction: prediction, truth: truths[key], kpi: kpis[key] ?? [:])
        }
        self.problems = problems
    }
}

/// A feedback item that could not be joined, and why.
package struct FeedbackProblem: Sendable, Hashable {
    package enum Reason: String, Sendable, Hashable, CaseIterable {
        case noPrediction, rowOutOfRange, listLength, singleTruthForManyRows
    }

    /// The item's position in the feedback given to the join.
    package var item: Int
    package var id: String
    package var reason: Reason
    /// One line naming the request and what to send instead.
    package var message: String
}
