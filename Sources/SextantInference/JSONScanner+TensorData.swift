/// A tensor's `data` read straight into its column: numbers (checked against the datatype as
/// they are read) or texts, `null` as a missing value, nested arrays flattened in row-major
/// order, a lone value as one element.
extension JSONScanner {
    /// - Parameters:
    ///   - tensor: how messages name it (`input amount`).
    ///   - expected: the element count its shape gives, to reserve room for.
    mutating func readTensorData(_ datatype: TensorDatatype, tensor: String, expected: Int, depth: Int) throws(BadRequest) -> TensorValues {
        self.tensor = tensor
        defer { self.tensor = nil }
        if datatype.isNumeric {
            var numbers: [Double?] = []
            numbers.reserveCapacity(min(expected, bytes.count / 2))
            try readNumbers(into: &numbers, datatype, tensor: tensor, depth: depth)
            return .numbers(numbers)
        }
        var texts: [String?] = []
        texts.reserveCapacity(min(expected, bytes.count / 3))
        try readTexts(into: &texts, tensor: tensor, depth: depth)
        return .texts(texts)
    }

    private mutating func readNumbers(into numbers: inout [Double?], _ datatype: TensorDatatype, tensor: String, depth: Int) throws(BadRequest) {
        let value: Double
        switch peek() {
        case UInt8(ascii: "["):
            try readArray(depth: depth) { scanner throws(BadRequest) in try scanner.readNumbers(into: &numbers, datatype, tensor: tensor, depth: depth + 1) }
            return
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
            value = try readNumber()
        case UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "f"):
            switch try readLiteral() {
            case .null:
                numbers.append(nil)
                return
            case .bool(let flag) where datatype == .bool:
                value = flag ? 1 : 0
            default:
                throw notA("a number", numbers.count, datatype, tensor: tensor)
            }
        case UInt8(ascii: "\""), UInt8(ascii: "{"):
            throw notA(datatype == .bool ? "a number or a boolean" : "a number", numbers.count, datatype, tensor: tensor)
        default:
            _ = try readLiteral()
            throw unexpected("a value")
        }
        if datatype != .fp64 || !value.isFinite, let problem = datatype.problem(with: value) {
            throw BadRequest("\(tensor): element \(numbers.count): \(problem)")
        }
        numbers.append(value)
    }

    private mutating func readTexts(into texts: inout [String?], tensor: String, depth: Int) throws(BadRequest) {
        switch peek() {
        case UInt8(ascii: "["):
            try readArray(depth: depth) { scanner throws(BadRequest) in try scanner.readTexts(into: &texts, tensor: tensor, depth: depth + 1) }
        case UInt8(ascii: "\""):
            texts.append(try readString())
        case UInt8(ascii: "n"):
            _ = try readLiteral()  // null, or a syntax error
            texts.append(nil)
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "{"):
            throw notA("a string", texts.count, .bytes, tensor: tensor)
        default:
            _ = try readLiteral()
            throw unexpected("a value")
        }
    }

    private func notA(_ what: String, _ position: Int, _ datatype: TensorDatatype, tensor: String) -> BadRequest {
        BadRequest("\(tensor): element \(position) of \(datatype.rawValue) data is not \(what)")
    }
}
