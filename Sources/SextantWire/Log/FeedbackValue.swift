/// A JSON scalar a label can be: the types a model's target can have.
public enum FeedbackScalar: Sendable, Hashable, Codable {
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)

    /// Booleans first, then integers, then other numbers: JSON `1` is an integer, `1.5` a number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            throw DecodingError.typeMismatch(FeedbackScalar.self, .init(codingPath: decoder.codingPath,
                                                                         debugDescription: "expected a boolean, a number or a string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let flag): try container.encode(flag)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }

    /// Whether a target of this type takes it: a `number` target takes integers too, and a
    /// `string` target any scalar (as its text: CSV cannot tell `"1"` from `1`).
    public func fits(_ type: TargetType) -> Bool {
        switch (type, self) {
        case (.boolean, .bool), (.integer, .integer), (.number, .integer), (.number, .number), (.string, _): true
        default: false
        }
    }

    /// How a CSV cell reads: `true`/`false`, an integer, a number, else the text.
    public init(csv text: String) {
        if text == "true" || text == "false" {
            self = .bool(text == "true")
        } else if let integer = Int64(text) {
            self = .integer(integer)
        } else if let number = Double(text), number.isFinite {
            self = .number(number)
        } else {
            self = .string(text)
        }
    }

    fileprivate func write(into writer: inout RecordWriter) {
        switch self {
        case .bool(let flag):
            writer.integer(UInt8(1))
            writer.integer(UInt8(flag ? 1 : 0))
        case .integer(let integer):
            writer.integer(UInt8(2))
            writer.integer(integer)
        case .number(let number):
            writer.integer(UInt8(3))
            writer.double(number)
        case .string(let text):
            writer.integer(UInt8(4))
            writer.string(text)
        }
    }

    fileprivate init(reading reader: inout RecordReader) throws(SegmentError) {
        switch try reader.integer(UInt8.self) {
        case 1: self = .bool(try reader.integer(UInt8.self) != 0)
        case 2: self = .integer(try reader.integer())
        case 3: self = .number(try reader.double())
        case 4: self = .string(try reader.string())
        default: throw .malformedRecord("an unknown scalar tag")
        }
    }
}

/// A label: one value, or a list with one value per row of the request.
public enum FeedbackTruth: Sendable, Hashable, Codable {
    case scalar(FeedbackScalar)
    case list([FeedbackScalar])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let items = try? container.decode([FeedbackScalar].self) {
            self = .list(items)
        } else {
            self = .scalar(try container.decode(FeedbackScalar.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .scalar(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }

    /// The values of a list, or the one value.
    public var values: [FeedbackScalar] {
        switch self {
        case .scalar(let value): [value]
        case .list(let values): values
        }
    }

    func write(into writer: inout RecordWriter) {
        switch self {
        case .scalar(let value):
            writer.integer(UInt8(0))
            value.write(into: &writer)
        case .list(let values):
            writer.integer(UInt8(1))
            writer.integer(UInt32(values.count))
            for value in values { value.write(into: &writer) }
        }
    }

    init(reading reader: inout RecordReader) throws(SegmentError) {
        switch try reader.integer(UInt8.self) {
        case 0:
            self = .scalar(try FeedbackScalar(reading: &reader))
        case 1:
            let count = Int(try reader.integer(UInt32.self))
            var values: [FeedbackScalar] = []
            for _ in 0..<count { values.append(try FeedbackScalar(reading: &reader)) }
            self = .list(values)
        default:
            throw .malformedRecord("an unknown truth tag")
        }
    }
}

/// The type of a model's target, which its labels must have (from the routing table).
public enum TargetType: String, Sendable, Hashable, Codable, CaseIterable {
    case boolean, integer, number, string
}
