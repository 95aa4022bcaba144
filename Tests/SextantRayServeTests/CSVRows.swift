import Foundation

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
