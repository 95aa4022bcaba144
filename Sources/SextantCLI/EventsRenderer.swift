import Foundation
import SextantCore

/// `sextant events` as people and programs read it.
enum EventsRenderer {
    static let header = ["ID", "TIME", "KIND", "NAME", "REASON", "COMMIT", "MESSAGE"]

    /// The cells of one event; a person's or token's act names them after the message.
    static func cells(_ event: Event) -> [String] {
        let by = event.actor == "sextant" ? "" : " (by \(event.actor))"
        return [event.id.map(String.init) ?? "-", iso8601(event.time), event.kind.rawValue, event.name, event.reason.rawValue,
                event.commit.map { String($0.prefix(7)) } ?? "-", event.message + by]
    }

    /// Aligned columns under a header; `no events` (naming the filter) when there are none.
    static func table(_ events: [Event], filter: EventFilter) -> String {
        guard !events.isEmpty else { return "no events" + (filter.summary.map { " of \($0)" } ?? "") + "\n" }
        return TextTable.lines([header] + events.map(cells)).joined(separator: "\n") + "\n"
    }

    /// The API's array (`GET /api/v1/events`).
    static func json(_ events: [Event]) -> String {
        String(decoding: try! StatusDocument.jsonEncoder().encode(events), as: UTF8.self) + "\n"
    }

    /// One compact JSON object a line, for a log that keeps growing.
    static func jsonLines(_ events: [Event]) -> String {
        let encoder = StatusDocument.jsonEncoder(pretty: false)
        return events.map { String(decoding: try! encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    /// A table printed a few rows at a time (`--follow`): the header once, and columns as
    /// wide as the first rows or the usual widths, whichever is wider, so later rows line up.
    struct FollowedTable {
        private var widths: [Int]
        private var headerPrinted = false

        /// Usual widths: ids of 5 digits, UTC times, the longest kind, common names and reasons.
        static let minimumWidths = [5, 20, 13, 16, 18, 7]

        init(first events: [Event]) {
            widths = Self.minimumWidths
            for row in [EventsRenderer.header] + events.map(EventsRenderer.cells) {
                for index in widths.indices { widths[index] = max(widths[index], row[index].count) }
            }
        }

        mutating func lines(_ events: [Event]) -> String {
            var rows = events.map(EventsRenderer.cells)
            if !headerPrinted {
                rows.insert(EventsRenderer.header, at: 0)
                headerPrinted = true
            }
            return rows.map { row in
                row.enumerated().map { index, cell in
                    index < widths.count ? cell + String(repeating: " ", count: max(0, widths[index] - cell.count) + 2) : cell
                }.joined()
            }.joined(separator: "\n") + "\n"
        }
    }
}
