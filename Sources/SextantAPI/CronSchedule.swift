package import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), in UTC, as
/// `crontab(5)` reads it: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`;
/// day-of-week 0–7 (0 and 7 are Sunday). When both day fields are restricted, a day matching
/// either runs (cron's rule).
package struct CronSchedule: Decodable, Sendable, Hashable, CustomStringConvertible {
    package let text: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let days: Set<Int>
    private let months: Set<Int>
    private let weekdays: Set<Int>
    private let daysRestricted: Bool
    private let weekdaysRestricted: Bool

    package var description: String { text }

    /// - Throws: a message naming the field that is wrong.
    package init(parsing text: String) throws(CronError) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else {
            throw CronError("\"\(text)\" has \(fields.count) fields; a schedule has five: minute hour day-of-month month day-of-week, like \"0 3 * * 1\"")
        }
        self.text = text
        minutes = try Self.field(fields[0], "minute", 0...59)
        hours = try Self.field(fields[1], "hour", 0...23)
        days = try Self.field(fields[2], "day-of-month", 1...31)
        months = try Self.field(fields[3], "month", 1...12)
        weekdays = Set(try Self.field(fields[4], "day-of-week", 0...7).map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// The first time at or after `date` (to the minute, UTC) the schedule fires; nil when
    /// none within five years (`0 0 31 2 *`).
    package func next(atOrAfter date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = (date.timeIntervalSince1970 / 60).rounded(.up) * 60
        var minute = Date(timeIntervalSince1970: start)
        let end = minute.addingTimeInterval(5 * 366 * 86_400)
        while minute < end {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: minute)
            guard months.contains(parts.month!) else {
                minute = calendar.date(byAdding: .month, value: 1, to: calendar.date(from: calendar.dateComponents([.year, .month], from: minute))!)!
                continue
            }
            guard matchesDay(day: parts.day!, weekday: parts.weekday! - 1) else {
                minute = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: minute))!
                continue
            }
            guard hours.contains(parts.hour!) else {
                minute = calendar.date(byAdding: .hour, value: 1, to: calendar.date(from: calendar.dateComponents([.year, .month, .day, .hour], from: minute))!)!
                continue
            }
            if minutes.contains(parts.minute!) { return minute }
            minute = minute.addingTimeInterval(60)
        }
        return nil
    }

    /// Whether the schedule fired in `(after, until]`.
    package func fired(after: Date, until: Date) -> Bool {
        guard let next = next(atOrAfter: after.addingTimeInterval(1)) else { return false }
        return next <= until
    }

    private func matchesDay(day: Int, weekday: Int) -> Bool {
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): days.contains(day) || weekdays.contains(weekday)
        case (true, false): days.contains(day)
        case (false, true): weekdays.contains(weekday)
        case (false, false): true
        }
    }

    private static func field(_ text: Substring, _ name: String, _ range: ClosedRange<Int>) throws(CronError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count) else { throw CronError("\(name) \"\(part)\" has more than one /") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw CronError("\(name) step \"\(pieces[1])\" is not a positive number") }
                step = value
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last!) else {
                    throw CronError("\(name) \"\(part)\" is not a number, a range a-b or *")
                }
                guard range.contains(low), range.contains(high) else { throw CronError("\(name) \"\(part)\" is outside \(range.lowerBound)-\(range.upperBound)") }
                guard low <= high else { throw CronError("\(name) range \"\(pieces[0])\" runs backwards") }
                span = low...(pieces.count == 2 && bounds.count == 1 ? range.upperBound : high)
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }
}

/// A schedule that cannot be read.
package struct CronError: Error, Sendable {
    package var message: String
    init(_ message: String) { self.message = message }
}
