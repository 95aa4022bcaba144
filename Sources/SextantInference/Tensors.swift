/// A JSON value of any shape: what `JSONScanner.readElement` gives for the small values a
/// message describes (a shape, a `binary_data_size`, a class list).
package enum JSONElement: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONElement])
    case object([String: JSONElement])

    package var string: String? { if case .string(let value) = self { value } else { nil } }
    package var array: [JSONElement]? { if case .array(let value) = self { value } else { nil } }
}

/// One input tensor's values, by what the model does with them.
package enum TensorValues {
    case numbers([Double?])
    case texts([String?])

    package var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .texts(let values): values.count
        }
    }
}

/// A request that could not be understood: answered 400 with `{"error"}`.
package struct BadRequest: Error {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }
}

/// Tensors in the binary tensor data extension (`Inference-Header-Content-Length`: the JSON
/// header, then each binary tensor's raw bytes in order — little-endian numbers, one byte per
/// BOOL, BYTES as 4-byte length + bytes). Every value is checked against its datatype (range,
/// whole numbers, finite), and errors name the tensor and the element.
package enum TensorCodec {
    /// - Parameter tensor: how messages name it (`input amount`).
    package static func values(fromBinary bytes: ArraySlice<UInt8>, datatype: TensorDatatype, tensor: String) throws(BadRequest) -> TensorValues {
        func readLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[bytes.startIndex + offset + index]) << (8 * index) }
            return value
        }
        guard let width = datatype.byteWidth else { return .texts(try texts(fromBinary: bytes, tensor: tensor)) }
        guard bytes.count % width == 0 else {
            throw BadRequest("\(tensor): \(bytes.count) bytes is not a whole number of \(datatype.rawValue) values (\(width) bytes each)")
        }
        var values: [Double?] = []
        values.reserveCapacity(bytes.count / width)
        for position in 0..<(bytes.count / width) {
            let offset = position * width
            let value: Double
            switch datatype {
            case .fp64: value = Double(bitPattern: readLE(UInt64.self, at: offset))
            case .fp32: value = Double(Float(bitPattern: readLE(UInt32.self, at: offset)))
            case .fp16: value = Double(Float(Float16(bitPattern: readLE(UInt16.self, at: offset))))
            case .int64: value = Double(readLE(Int64.self, at: offset))
            case .int32: value = Double(readLE(Int32.self, at: offset))
            case .int16: value = Double(readLE(Int16.self, at: offset))
            case .int8: value = Double(readLE(Int8.self, at: offset))
            case .uint64: value = Double(readLE(UInt64.self, at: offset))
            case .uint32: value = Double(readLE(UInt32.self, at: offset))
            case .uint16: value = Double(readLE(UInt16.self, at: offset))
            case .uint8: value = Double(readLE(UInt8.self, at: offset))
            case .bool:
                let byte = readLE(UInt8.self, at: offset)
                guard byte <= 1 else { throw BadRequest("\(tensor): element \(position) of BOOL data is byte \(byte); a BOOL is 0 or 1") }
                value = Double(byte)
            case .bytes: preconditionFailure("BYTES has no fixed width")
            }
            // NaN is a missing value in binary form (the tabular convention); infinities are refused.
            if value.isNaN {
                values.append(nil)
            } else if let problem = datatype.problem(with: value) {
                throw BadRequest("\(tensor): element \(position): \(problem)")
            } else {
                values.append(value)
            }
        }
        return .numbers(values)
    }

    /// BYTES elements: a 4-byte little-endian length, then that many bytes, each checked
    /// against what is left of the input's data.
    private static func texts(fromBinary bytes: ArraySlice<UInt8>, tensor: String) throws(BadRequest) -> [String?] {
        var texts: [String?] = []
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            guard bytes.endIndex - offset >= 4 else {
                throw BadRequest("\(tensor): element \(texts.count) of BYTES data is cut off in its 4-byte length")
            }
            var length = 0
            for index in 0..<4 { length |= Int(bytes[offset + index]) << (8 * index) }
            offset += 4
            guard length <= bytes.endIndex - offset else {
                throw BadRequest("\(tensor): element \(texts.count) of BYTES data says \(length) bytes, but only \(bytes.endIndex - offset) are left")
            }
            texts.append(String(decoding: bytes[offset..<(offset + length)], as: UTF8.self))
            offset += length
        }
        return texts
    }

    /// An output's values as raw little-endian bytes.
    package static func binary(_ values: OutputValues) -> [UInt8] {
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
package enum OutputValues {
    case doubles([Double])
    case integers([Int64])
    case booleans([Bool])
    case texts([String])

    package var datatype: String {
        switch self {
        case .doubles: "FP64"
        case .integers: "INT64"
        case .booleans: "BOOL"
        case .texts: "BYTES"
        }
    }
}
