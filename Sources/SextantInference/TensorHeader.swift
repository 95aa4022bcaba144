/// One entry of a message's tensor list as read, before it is checked: its members may come
/// in any order, so the checks (in a fixed order, each naming the tensor) run once the entry
/// is read. `data` is read straight into its column when the name and datatype came before
/// it (as every client writes them); otherwise its offset is kept and it is read afterwards.
struct TensorHeader {
    var position: Int
    var name: String?
    var datatypeName: String?
    var shape: JSONElement?
    var data: TensorValues?
    var dataOffset: Int?
    var binaryDataSize: JSONElement?
    var classes: [String]?

    /// Reads one entry (the scanner at its value).
    init(_ scanner: inout JSONScanner, list: InferenceMessage.List, position: Int) throws(BadRequest) {
        self.position = position
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: 2)
            return
        }
        try scanner.readObject(depth: 2) { scanner, key throws(BadRequest) in
            switch key {
            case "name": name = try scanner.readStringIfAny(depth: 3)
            case "datatype": datatypeName = try scanner.readStringIfAny(depth: 3)
            case "shape": shape = try scanner.readElement(depth: 3)
            case "parameters" where scanner.peek() == UInt8(ascii: "{"):
                try scanner.readObject(depth: 3) { scanner, key throws(BadRequest) in
                    switch key {
                    case "binary_data_size": binaryDataSize = try scanner.readElement(depth: 4)
                    case "classes": classes = try scanner.readElement(depth: 4).array?.compactMap(\.string)
                    default: try scanner.skipValue(depth: 4)
                    }
                }
            case "data":
                if let name, let datatype = datatypeName.flatMap(TensorDatatype.init(rawValue:)) {
                    data = try scanner.readTensorData(datatype, tensor: "\(list.noun) \(name)", expected: expectedCount, depth: 3)
                    dataOffset = nil
                } else {
                    _ = scanner.peek()
                    dataOffset = scanner.offset
                    data = nil
                    try scanner.skipValue(depth: 3)
                }
            default: try scanner.skipValue(depth: 3)
            }
        }
    }

    /// The element count the shape gives when it is already known and sound (0 otherwise).
    private var expectedCount: Int {
        guard let dimensions = shape?.array else { return 0 }
        var count = 1
        for case .number(let value) in dimensions {
            guard value >= 0, value <= InferenceMessage.maxDimension else { return 0 }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(value))
            if overflow { return 0 }
            count = product
        }
        return count
    }

    /// The checked tensor: name, datatype, shape, then its values — from the binary part at
    /// `binaryOffset` (moved past them) or from `data` — and their count against the shape.
    /// - Parameter header: a scanner over the JSON header, for `data` read afterwards.
    func tensor(header: JSONScanner, body: [UInt8], binaryOffset offset: inout Int, list: InferenceMessage.List) throws(BadRequest) -> DecodedTensor {
        let noun = list.noun
        guard let name else { throw BadRequest("\(noun) \(position) has no name") }
        guard let datatypeName else { throw BadRequest("\(noun) \(name) has no datatype") }
        guard let datatype = TensorDatatype(rawValue: datatypeName) else {
            throw BadRequest("\(noun) \(name): datatype \(datatypeName.prefix(40)) is not one of \(TensorDatatype.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let dimensions = try Self.shape(shape, tensor: "\(noun) \(name)")
        let elements = try Self.elementCount(dimensions, tensor: "\(noun) \(name)")
        let values: TensorValues
        if let size = binaryDataSize {
            guard case .number(let number) = size, number >= 0, number.rounded(.towardZero) == number, number <= Double(body.count - offset) else {
                throw BadRequest("\(noun) \(name): binary_data_size \(Self.describe(size)) is not a byte count within the \(body.count - offset) bytes left of the body")
            }
            let length = Int(number)
            values = try TensorCodec.values(fromBinary: body[offset..<(offset + length)], datatype: datatype, tensor: "\(noun) \(name)")
            offset += length
        } else if let data {
            values = data
        } else if let dataOffset {
            var scanner = header
            scanner.offset = dataOffset
            values = try scanner.readTensorData(datatype, tensor: "\(noun) \(name)", expected: elements, depth: 3)
        } else {
            throw BadRequest("\(noun) \(name) has neither data nor binary_data_size")
        }
        guard values.count == elements else {
            throw BadRequest("\(noun) \(name): shape \(Self.describe(shape!)) holds \(elements) values, but \(values.count) were sent")
        }
        return DecodedTensor(name: name, datatype: datatype, shape: dimensions, values: values, classes: classes)
    }

    /// A shape's dimensions: each a whole number from 0 to `maxDimension`.
    private static func shape(_ shape: JSONElement?, tensor: String) throws(BadRequest) -> [Int] {
        guard let shape else { throw BadRequest("\(tensor) has no shape; the tabular convention sends shape [N]") }
        guard let dimensions = shape.array, !dimensions.isEmpty else {
            throw BadRequest("\(tensor): shape \(describe(shape)) is not a list of dimensions")
        }
        var result: [Int] = []
        for dimension in dimensions {
            guard case .number(let value) = dimension, value >= 0, value <= InferenceMessage.maxDimension, value.rounded(.towardZero) == value else {
                throw BadRequest("\(tensor): shape \(describe(shape)): every dimension must be a whole number from 0 to \(Int(InferenceMessage.maxDimension))")
            }
            result.append(Int(value))
        }
        return result
    }

    /// The number of elements a shape holds, multiplied without overflow.
    private static func elementCount(_ shape: [Int], tensor: String) throws(BadRequest) -> Int {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw BadRequest("\(tensor): shape \(shape) holds more elements than can be counted") }
            count = product
        }
        return count
    }

    /// A JSON value as a message shows it, cut short.
    static func describe(_ element: JSONElement) -> String {
        let text: String
        switch element {
        case .null: text = "null"
        case .bool(let flag): text = String(flag)
        case .number(let number): text = number.rounded(.towardZero) == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case .string(let string): text = "\"\(string)\""
        case .array(let items): text = "[" + items.prefix(8).map(describe).joined(separator: ", ") + (items.count > 8 ? ", …" : "") + "]"
        case .object: text = "{…}"
        }
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
