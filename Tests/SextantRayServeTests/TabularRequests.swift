import Foundation

/// A feature as a request sends it: its name and OIP v2 datatype.
struct TabularFeature {
    var name: String
    var datatype: String

    init(_ name: String, _ datatype: String) {
        self.name = name
        self.datatype = datatype
    }
}

/// OIP v2 infer requests in the tabular convention: one input per feature, a row's values
/// as the CSV spells them (nil: a missing value).
struct TabularRequests {
    var features: [TabularFeature]

    /// JSON; `nested` sends each input as shape [N, 1] with one list per row.
    func json(_ rows: [[String?]], outputs: [String]? = nil, id: String? = nil, nested: Bool = false) -> [UInt8] {
        let inputs = features.enumerated().map { column, feature in
            let values = rows.map { row -> String in
                let literal = row[column].map { feature.datatype == "BYTES" ? Self.quoted($0) : $0 } ?? "null"
                return nested ? "[\(literal)]" : literal
            }
            let shape = nested ? "\(rows.count),1" : "\(rows.count)"
            return #"{"name":"\#(feature.name)","datatype":"\#(feature.datatype)","shape":[\#(shape)],"data":[\#(values.joined(separator: ","))]}"#
        }
        var members = [#""inputs":[\#(inputs.joined(separator: ","))]"#]
        if let outputs { members.append(#""outputs":[\#(outputs.map { #"{"name":"\#($0)"}"# }.joined(separator: ","))]"#) }
        if let id { members.append(#""id":"\#(id)""#) }
        return Array("{\(members.joined(separator: ","))}".utf8)
    }

    /// The binary tensor data extension: numbers as FP64 (NaN for missing), text as BYTES;
    /// outputs in binary or JSON. Returns the body and the JSON header's length.
    func binary(_ rows: [[String?]], outputs: [String], binaryOutputs: Bool) -> (body: [UInt8], headerLength: Int) {
        var data: [UInt8] = []
        var inputs: [String] = []
        for (column, feature) in features.enumerated() {
            var bytes: [UInt8] = []
            let datatype = feature.datatype == "BYTES" ? "BYTES" : "FP64"
            for row in rows {
                if datatype == "BYTES" {
                    let text = Array((row[column] ?? "").utf8)
                    withUnsafeBytes(of: UInt32(text.count).littleEndian) { bytes += $0 }
                    bytes += text
                } else {
                    let value = row[column].flatMap(Double.init) ?? .nan
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
                }
            }
            inputs.append(#"{"name":"\#(feature.name)","datatype":"\#(datatype)","shape":[\#(rows.count)],"parameters":{"binary_data_size":\#(bytes.count)}}"#)
            data += bytes
        }
        let requested = outputs.map { #"{"name":"\#($0)","parameters":{"binary_data":\#(binaryOutputs)}}"# }
        let header = Array(#"{"inputs":[\#(inputs.joined(separator: ","))],"outputs":[\#(requested.joined(separator: ","))]}"#.utf8)
        return (header + data, header.count)
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
