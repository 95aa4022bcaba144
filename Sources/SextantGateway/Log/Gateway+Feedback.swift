import Foundation
import NIOCore
import NIOHTTP1
import SextantWire

extension Gateway {
    /// Most items one feedback request may carry (DESIGN §7).
    static let feedbackLimit = 10_000

    /// `POST /v2/models/{name}/feedback`: each valid item is queued for
    /// `STATE/feedback/MODEL/`; 202 with the count accepted and an error per item rejected;
    /// 400 for a body that is not a feedback request, 404 for a model not routed here.
    func acceptFeedback(model: String, body: ByteBuffer) -> (status: HTTPResponseStatus, json: Data) {
        guard let target = feedbackTarget(model: model) else {
            return (.notFound, Self.errorJSON("unknown model \(model): no revision of it is routed here"))
        }
        guard let log = predictionLog else {
            return (.serviceUnavailable, Self.errorJSON("this gateway keeps no feedback (started without a state directory)"))
        }
        let request: FeedbackRequest
        do {
            request = try JSONDecoder().decode(FeedbackRequest.self, from: Data(body.readableBytesView))
        } catch let error as FeedbackRequest.Invalid {
            return (.badRequest, Self.errorJSON(error.message))
        } catch {
            return (.badRequest, Self.errorJSON("the body is not JSON of the form {\"feedback\": [{\"id\": \"<request id>\", \"truth\": <value>, \"kpi\": {\"<name>\": <number>}}]}"))
        }
        guard request.feedback.count <= Self.feedbackLimit else {
            return (.badRequest, Self.errorJSON("\(request.feedback.count) items is more than \(Self.feedbackLimit) per request: send them in batches"))
        }
        let now = PredictionLog.milliseconds()
        var accepted = 0
        var rejected: [FeedbackReceipt.Rejection] = []
        for (index, item) in request.feedback.enumerated() {
            switch item.validated(target: target ?? nil, model: model) {
            case .failure(let error):
                rejected.append(.init(index: index, error: error.message))
            case .success(let item):
                let record = FeedbackRecord(time: now, id: item.id, row: item.row, truth: item.truth, kpi: item.kpi ?? [:])
                if log.submit(.feedback(model: model, record), bytes: 128 + item.id.utf8.count + 32 * (item.truth?.values.count ?? 0)) {
                    accepted += 1
                } else {
                    rejected.append(.init(index: index, error: "the gateway's log queue is full: send it again later"))
                }
            }
        }
        log.counters.feedback(model: model, accepted: accepted, rejected: rejected.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(FeedbackReceipt(accepted: accepted, rejected: rejected))) ?? Data("{}".utf8)
        return (.accepted, json)
    }

    static func errorJSON(_ message: String) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(["error": message])) ?? Data(#"{"error":"gateway error"}"#.utf8)
    }
}

/// A feedback request's body; each item is decoded on its own, so that one bad item is
/// that item's error, not the request's.
struct FeedbackRequest: Decodable {
    struct Invalid: Error {
        var message: String
    }

    var feedback: [FeedbackEntry]

    enum CodingKeys: String, CodingKey {
        case feedback
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self), container.contains(.feedback),
              var items = try? container.nestedUnkeyedContainer(forKey: .feedback) else {
            throw Invalid(message: "the body must be an object with a \"feedback\" array: {\"feedback\": [{\"id\": \"<request id>\", \"truth\": <value>}]}")
        }
        var entries: [FeedbackEntry] = []
        while !items.isAtEnd {
            if entries.count > Gateway.feedbackLimit { break }
            entries.append(try items.decode(FeedbackEntry.self))
        }
        feedback = entries
    }
}

/// One item as sent: its fields, or what is wrong with it.
struct FeedbackEntry: Decodable {
    struct Problem: Error {
        var message: String
    }

    var item: Result<FeedbackItem, Problem>

    enum CodingKeys: String, CodingKey {
        case id, row, truth, kpi
    }

    init(from decoder: any Decoder) throws {
        item = Self.decode(decoder)
    }

    private static func decode(_ decoder: any Decoder) -> Result<FeedbackItem, Problem> {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { return .failure(Problem(message: "an item must be an object")) }
        guard let id = try? container.decode(String.self, forKey: .id) else {
            return .failure(Problem(message: "id is missing or not a string: give the request id the prediction was answered with (X-Request-Id)"))
        }
        guard RequestID.isValid(id) else { return .failure(Problem(message: "id \"\(id.prefix(40))\" is not a request id (1–128 characters of A-Z a-z 0-9 . _ : -)")) }
        let row: Int?
        if container.contains(.row), (try? container.decodeNil(forKey: .row)) != true {
            guard let value = try? container.decode(Int.self, forKey: .row), value >= 0 else { return .failure(Problem(message: "row must be a whole number from 0")) }
            row = value
        } else {
            row = nil
        }
        var truth: FeedbackTruth?
        if container.contains(.truth), (try? container.decodeNil(forKey: .truth)) != true {
            guard let value = try? container.decode(FeedbackTruth.self, forKey: .truth) else {
                return .failure(Problem(message: "truth must be a boolean, a number, a string, or a list of them (one per row)"))
            }
            truth = value
        }
        var kpi: [String: Double]?
        if container.contains(.kpi) {
            guard let value = try? container.decode([String: Double].self, forKey: .kpi) else {
                return .failure(Problem(message: "kpi must be an object of numbers, like {\"revenue\": 12.5}"))
            }
            kpi = value
        }
        guard truth != nil || !(kpi ?? [:]).isEmpty else { return .failure(Problem(message: "an item needs a truth or a kpi")) }
        return .success(FeedbackItem(id: id, row: row, truth: truth, kpi: kpi))
    }

    /// The item when it is well formed and its truth has the target's type.
    func validated(target: TargetType?, model: String) -> Result<FeedbackItem, Problem> {
        guard case .success(let item) = item, let target, let truth = item.truth else { return item }
        if let wrong = truth.values.first(where: { !$0.fits(target) }) {
            return .failure(Problem(message: "truth \(Self.describe(wrong)) is not of the type of \(model)'s target (\(target.rawValue))"))
        }
        return .success(item)
    }

    private static func describe(_ value: FeedbackScalar) -> String {
        switch value {
        case .bool(let flag): "\(flag) (a boolean)"
        case .integer(let integer): "\(integer) (an integer)"
        case .number(let number): "\(number) (a number)"
        case .string(let text): "\"\(text.prefix(40))\" (a string)"
        }
    }
}
