/// One column of a tabular request, typed as it is sent (`nil` is a missing value, `null`).
package enum TensorColumn: Equatable {
    case numbers([Double?])
    case booleans([Bool?])
    case texts([String?])

    /// The number of rows.
    package var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .booleans(let values): values.count
        case .texts(let values): values.count
        }
    }
}

/// An OIP v2 request body in the tabular convention, written straight into bytes: one input
/// per column, named after it, shape `[N]`, values in `data` (`null` for a missing one).
/// What evaluation sends a model server; `InferenceRequest` reads it back.
package struct TabularRequestEncoder {
    /// One input: a column and the name and datatype it is sent with.
    package struct Input {
        package var name: String
        package var datatype: TensorDatatype
        package var column: TensorColumn

        package init(name: String, datatype: TensorDatatype, column: TensorColumn) {
            self.name = name
            self.datatype = datatype
            self.column = column
        }
    }

    /// The request's `id`, which the answer repeats.
    package var id: String?
    /// `parameters.content_type` (`pd`: the inputs are a data frame's columns).
    package var contentType: String?
    /// One per feature, in the order they are sent.
    package var inputs: [Input]
    /// The outputs asked for, by name (none: the server's default).
    package var outputs: [String]

    package init(id: String? = nil, contentType: String? = nil, inputs: [Input], outputs: [String] = []) {
        self.id = id
        self.contentType = contentType
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The request body: `{"id", "parameters", "inputs": [{name, datatype, shape, data}], "outputs"}`.
    package func encode() -> [UInt8] {
        var json = JSONWriter(capacity: 256 + inputs.reduce(0) { $0 + $1.column.count * 12 })
        json.raw("{")
        if let id {
            json.key("id")
            json.string(id)
            json.comma()
        }
        if let contentType {
            json.raw(#""parameters":{"content_type":"#)
            json.string(contentType)
            json.raw("},")
        }
        json.key("inputs")
        json.raw("[")
        for (index, input) in inputs.enumerated() {
            if index > 0 { json.comma() }
            json.raw(#"{"name":"#)
            json.string(input.name)
            json.raw(#","datatype":""#)
            json.write(input.datatype.rawValue)
            json.raw(#"","shape":["#)
            json.integer(Int64(input.column.count))
            json.raw(#"],"data":["#)
            Self.write(input.column, to: &json)
            json.raw("]}")
        }
        json.raw("]")
        if !outputs.isEmpty {
            json.raw(#","outputs":["#)
            for (index, output) in outputs.enumerated() {
                if index > 0 { json.comma() }
                json.raw(#"{"name":"#)
                json.string(output)
                json.raw("}")
            }
            json.raw("]")
        }
        json.raw("}")
        return json.bytes
    }

    /// A column's values, comma-separated.
    private static func write(_ column: TensorColumn, to json: inout JSONWriter) {
        switch column {
        case .numbers(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { json.comma() }
                if let value { json.number(value) } else { json.raw("null") }
            }
        case .booleans(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { json.comma() }
                if let value { json.bool(value) } else { json.raw("null") }
            }
        case .texts(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { json.comma() }
                if let value { json.string(value) } else { json.raw("null") }
            }
        }
    }
}
