import Foundation

/// A JSON value of any shape, decoded strictly (a number never reads as a boolean).
enum JSONElement: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONElement])
    case object([String: JSONElement])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONElement].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONElement].self)) }
    }

    /// Nested arrays flattened in row-major order, as OIP v2 allows `data` to be written.
    var flattened: [JSONElement] {
        if case .array(let items) = self { return items.flatMap(\.flattened) }
        return [self]
    }

    subscript(key: String) -> JSONElement? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var number: Double? { if case .number(let value) = self { value } else { nil } }
    var array: [JSONElement]? { if case .array(let value) = self { value } else { nil } }
}

/// One input tensor's values, by what the model does with them.
enum TensorValues {
    case numbers([Double?])
    case texts([String?])

    var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .texts(let values): values.count
        }
    }
}

/// A request that could not be understood: answered 400 with `{"error"}`.
struct BadRequest: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Decoding tensors from JSON `data` and from the binary tensor data extension
/// (`Inference-Header-Content-Length`: the JSON header, then each binary input's raw bytes
/// in order — little-endian numbers, one byte per BOOL, BYTES as 4-byte length + bytes).
enum TensorCodec {
    static let numericTypes: Set<String> = ["FP64", "FP32", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT64", "UINT32", "UINT16", "UINT8", "BOOL"]

    static func values(fromJSON data: JSONElement, datatype: String, name: String) throws(BadRequest) -> TensorValues {
        let elements = data.flattened
        if datatype == "BYTES" {
            return .texts(try elements.map { element throws(BadRequest) -> String? in
                switch element {
                case .null: return nil
                case .string(let text): return text
                case .number(let number): return number.rounded() == number ? String(Int64(number)) : String(number)
                case .bool(let flag): return String(flag)
                default: throw BadRequest("input \(name): BYTES data must be strings")
                }
            })
        }
        guard numericTypes.contains(datatype) else { throw BadRequest("input \(name): datatype \(datatype) is not supported") }
        return .numbers(try elements.map { element throws(BadRequest) -> Double? in
            switch element {
            case .null: return nil
            case .number(let number): return number.isNaN ? nil : number
            case .bool(let flag): return flag ? 1 : 0
            default: throw BadRequest("input \(name): \(datatype) data must be numbers\(datatype == "BOOL" ? " or booleans" : "")")
            }
        })
    }

    static func values(fromBinary bytes: ArraySlice<UInt8>, datatype: String, name: String) throws(BadRequest) -> TensorValues {
        func readLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[bytes.startIndex + offset + index]) << (8 * index) }
            return value
        }
        func fixed(_ width: Int, _ read: (Int) -> Double?) throws(BadRequest) -> TensorValues {
            guard bytes.count % width == 0 else { throw BadRequest("input \(name): \(bytes.count) bytes is not a whole number of \(datatype) values") }
            return .numbers((0..<(bytes.count / width)).map { read($0 * width) })
        }
        switch datatype {
        case "FP64": return try fixed(8) { let value = Double(bitPattern: readLE(UInt64.self, at: $0)); return value.isNaN ? nil : value }
        case "FP32": return try fixed(4) { let value = Double(Float(bitPattern: readLE(UInt32.self, at: $0))); return value.isNaN ? nil : value }
        case "INT64": return try fixed(8) { Double(readLE(Int64.self, at: $0)) }
        case "INT32": return try fixed(4) { Double(readLE(Int32.self, at: $0)) }
        case "INT16": return try fixed(2) { Double(readLE(Int16.self, at: $0)) }
        case "INT8": return try fixed(1) { Double(readLE(Int8.self, at: $0)) }
        case "UINT64": return try fixed(8) { Double(readLE(UInt64.self, at: $0)) }
        case "UINT32": return try fixed(4) { Double(readLE(UInt32.self, at: $0)) }
        case "UINT16": return try fixed(2) { Double(readLE(UInt16.self, at: $0)) }
        case "UINT8", "BOOL": return try fixed(1) { Double(readLE(UInt8.self, at: $0) == 0 ? 0 : (datatype == "BOOL" ? 1 : readLE(UInt8.self, at: $0))) }
        case "BYTES":
            var texts: [String?] = []
            var offset = 0
            while offset < bytes.count {
                guard offset + 4 <= bytes.count else { throw BadRequest("input \(name): truncated BYTES element length") }
                let length = Int(readLE(UInt32.self, at: offset))
                offset += 4
                guard offset + length <= bytes.count else { throw BadRequest("input \(name): truncated BYTES element") }
                texts.append(String(decoding: bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + length)], as: UTF8.self))
                offset += length
            }
            return .texts(texts)
        default:
            throw BadRequest("input \(name): datatype \(datatype) is not supported")
        }
    }

    /// An output's values as raw little-endian bytes.
    static func binary(_ values: OutputValues) -> [UInt8] {
        var bytes: [UInt8] = []
        switch values {
        case .doubles(let numbers):
            for number in numbers { withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes += $0 } }
        case .integers(let numbers):
            for number in numbers { withUnsafeBytes(of: number.littleEndian) { bytes += $0 } }
        case .booleans(let flags):
            bytes = flags.map { $0 ? 1 : 0 }
        case .texts(let texts):
            for text in texts {
                withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { bytes += $0 }
                bytes += Array(text.utf8)
            }
        }
        return bytes
    }
}

/// The values of an output tensor.
enum OutputValues: Encodable {
    case doubles([Double])
    case integers([Int64])
    case booleans([Bool])
    case texts([String])

    var datatype: String {
        switch self {
        case .doubles: "FP64"
        case .integers: "INT64"
        case .booleans: "BOOL"
        case .texts: "BYTES"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .doubles(let values): try container.encode(values)
        case .integers(let values): try container.encode(values)
        case .booleans(let values): try container.encode(values)
        case .texts(let values): try container.encode(values)
        }
    }
}
