import Foundation

/// How a mirror's answer to one request compares with the answer the client got: outputs
/// matched by name, element by element. `BOOL`, `BYTES` and integer outputs are labels
/// (equal or not); `FP16`/`FP32`/`FP64` outputs are scores (absolute difference summed).
/// An output the mirror lacks, or whose element count or kind differs, counts its served
/// labels as unequal and leaves its scores out (there is no element to subtract).
struct AnswerComparison: Sendable, Equatable {
    var labels: UInt64 = 0
    var equalLabels: UInt64 = 0
    var scores: UInt64 = 0
    var scoreDifference: Double = 0

    /// Compares two OIP v2 JSON answers; nil when either is not one (binary extension,
    /// another content, no `outputs`): such pairs are not compared, and that is no error.
    init?(served: some Collection<UInt8>, mirror: some Collection<UInt8>) {
        guard let served = Answer(served), let mirror = Answer(mirror) else { return nil }
        var byName: [String: Answer.Output] = [:]
        for output in mirror.outputs { byName[output.name] = output }
        for output in served.outputs {
            let kind = Kind(output.datatype)
            guard kind != .other else { continue }
            let other = byName[output.name]
            let comparable = other.map { Kind($0.datatype) == kind && $0.elements.count == output.elements.count } ?? false
            switch kind {
            case .label:
                labels += UInt64(output.elements.count)
                guard comparable, let other else { continue }
                for (a, b) in zip(output.elements, other.elements) where a.sameLabel(as: b) { equalLabels += 1 }
            case .score:
                guard comparable, let other else { continue }
                for (a, b) in zip(output.elements, other.elements) {
                    guard let x = a.number, let y = b.number else { continue }
                    scores += 1
                    scoreDifference += abs(y - x)
                }
            case .other:
                break
            }
        }
    }

    init(labels: UInt64, equalLabels: UInt64, scores: UInt64, scoreDifference: Double) {
        self.labels = labels
        self.equalLabels = equalLabels
        self.scores = scores
        self.scoreDifference = scoreDifference
    }

    private enum Kind {
        case label, score, other

        init(_ datatype: String) {
            switch datatype {
            case "BOOL", "BYTES", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64": self = .label
            case "FP16", "FP32", "FP64", "BF16": self = .score
            default: self = .other
            }
        }
    }

    /// The part of an OIP v2 answer that is compared; `data` nested or flat, read flat.
    private struct Answer: Decodable {
        var outputs: [Output]

        struct Output: Decodable {
            var name: String
            var datatype: String
            var elements: [Element]

            enum CodingKeys: String, CodingKey { case name, datatype, data }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                name = try container.decode(String.self, forKey: .name)
                datatype = try container.decode(String.self, forKey: .datatype)
                elements = (try container.decodeIfPresent(Element.self, forKey: .data))?.flattened ?? []
            }
        }

        init?(_ bytes: some Collection<UInt8>) {
            guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(bytes)) else { return nil }
            self = answer
        }
    }

    private enum Element: Decodable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(Double)
        case string(String)
        case array([Element])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else {
                self = .array(try container.decode([Element].self))
            }
        }

        var flattened: [Element] {
            guard case .array(let items) = self else { return [self] }
            return items.flatMap(\.flattened)
        }

        var number: Double? {
            switch self {
            case .integer(let value): Double(value)
            case .number(let value): value
            default: nil
            }
        }

        func sameLabel(as other: Element) -> Bool {
            switch (self, other) {
            case (.null, .null): true
            case (.bool(let a), .bool(let b)): a == b
            case (.integer(let a), .integer(let b)): a == b
            case (.string(let a), .string(let b)): a == b
            default: number != nil && number == other.number
            }
        }
    }
}
