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

/// Some columns of a CSV file (no quoting), an empty field as nil.
struct CSVRows {
    var rows: [[String?]]

    init(path: String, columns: [String]) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        let indices = columns.map { header.firstIndex(of: $0)! }
        rows = lines.dropFirst().map { fields in indices.map { fields[$0].isEmpty ? nil : fields[$0] } }
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

/// A small deterministic table for models the quickstart does not cover: a number with
/// missing values (`size`), a text column with missing values (`colour`), an integer
/// (`weight`), and three targets — text classes (`grade`), integer classes (`tier`) and a
/// value (`price`).
enum SyntheticItems {
    static let features = [TabularFeature("size", "FP64"), TabularFeature("colour", "BYTES"), TabularFeature("weight", "INT64")]

    static func csv(rows: Int = 240) -> String {
        var state: UInt64 = 0x5EED
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let colours = ["red", "green", "blue", "amber"]
        var lines = ["size,colour,weight,grade,tier,price"]
        for row in 0..<rows {
            let size = (next() * 1000).rounded() / 10
            let colour = colours[Int(next() * 4)]
            let weight = 1 + Int(next() * 50)
            let score = size / 25 + Double(weight) / 12 + (colour == "red" ? 2 : colour == "blue" ? -1 : 0) + next() * 3
            let tier = score < 3.5 ? 1 : score < 6 ? 2 : 3
            let grade = ["low", "mid", "high"][tier - 1]
            let price = 2 * size + 0.5 * Double(weight) + (colour == "amber" ? 15 : 0) + next() * 10
            let sizeField = row % 13 == 5 ? "" : "\(size)"
            let colourField = row % 7 == 3 ? "" : colour
            lines.append("\(sizeField),\(colourField),\(weight),\(grade),\(tier),\((price * 100).rounded() / 100)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
