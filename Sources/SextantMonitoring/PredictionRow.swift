package import Foundation

/// One decoded row of the prediction log: which request and row it is, when and by which
/// revision it was answered, and its values.
package struct PredictionRow: Sendable, Hashable {
    package var requestId: String
    /// The row's position in its request, from 0.
    package var row: Int
    package var time: Date
    package var revision: Int
    package var version: Int
    package var values: DecodedRow
    /// Under an experiment with a unit header (DESIGN §10): the request's assignment unit,
    /// the keyed hash of the header's value that the gateway logged (never the value). Nil
    /// outside an experiment and for a request without the header.
    package var unit: UInt64?

    package init(requestId: String, row: Int, time: Date, revision: Int, version: Int, values: DecodedRow, unit: UInt64? = nil) {
        self.requestId = requestId
        self.row = row
        self.time = time
        self.revision = revision
        self.version = version
        self.values = values
        self.unit = unit
    }

    /// The rows of one logged exchange, numbered from 0; all of them have its unit.
    package static func rows(requestId: String, time: Date, revision: Int, version: Int, unit: UInt64? = nil,
                             decoded: [DecodedRow]) -> [PredictionRow] {
        decoded.enumerated().map {
            PredictionRow(requestId: requestId, row: $0, time: time, revision: revision, version: version, values: $1, unit: unit)
        }
    }
}
