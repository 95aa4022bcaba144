import Foundation
import Testing
@testable import SextantAPI

/// `retrain.schedule`: five-field cron in UTC, as crontab(5) reads it.
@Suite struct CronScheduleTests {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test("the next firing at or after a time", arguments: [
        ("0 3 * * 1", "2026-12-01T23:20:00Z", "2026-12-07T03:00:00Z"),  // Tuesday → next Monday 03:00
        ("0 3 * * 1", "2026-12-07T03:00:00Z", "2026-12-07T03:00:00Z"),  // at the minute itself
        ("*/15 * * * *", "2026-12-01T23:20:10Z", "2026-12-01T23:30:00Z"),
        ("30 2 1 * *", "2026-12-01T23:20:00Z", "2027-01-01T02:30:00Z"),
        ("0 0 29 2 *", "2027-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 12 1 * 0", "2026-12-02T00:00:00Z", "2026-12-06T12:00:00Z"),  // day 1 or Sunday: Sunday the 6th first
        ("0 9-17/4 * * 7", "2026-12-06T10:00:00Z", "2026-12-06T13:00:00Z"),  // 7 is Sunday too
        ("5,10 0 * 6 *", "2026-12-01T00:00:00Z", "2027-06-01T00:05:00Z"),
    ])
    func next(_ expression: String, _ after: String, _ expected: String) throws {
        let schedule = try CronSchedule(parsing: expression)
        #expect(schedule.next(atOrAfter: Self.date(after)) == Self.date(expected))
    }

    @Test("fired in an interval: once a schedule's minute falls inside it")
    func fired() throws {
        let schedule = try CronSchedule(parsing: "0 3 * * *")
        #expect(schedule.fired(after: Self.date("2026-12-02T02:59:00Z"), until: Self.date("2026-12-02T03:00:30Z")))
        #expect(!schedule.fired(after: Self.date("2026-12-02T03:00:00Z"), until: Self.date("2026-12-02T03:30:00Z")))
        #expect(!schedule.fired(after: Self.date("2026-12-02T03:01:00Z"), until: Self.date("2026-12-03T02:59:00Z")))
    }

    @Test("a schedule that cannot fire has no next time")
    func never() throws {
        #expect(try CronSchedule(parsing: "0 0 31 2 *").next(atOrAfter: Self.date("2026-01-01T00:00:00Z")) == nil)
    }

    @Test("bad expressions name the field", arguments: [
        ("0 3 * *", "has 4 fields"),
        ("60 3 * * *", "minute \"60\" is outside 0-59"),
        ("0 24 * * *", "hour \"24\" is outside 0-23"),
        ("0 3 0 * *", "day-of-month \"0\" is outside 1-31"),
        ("0 3 * 13 *", "month \"13\" is outside 1-12"),
        ("0 3 * * 8", "day-of-week \"8\" is outside 0-7"),
        ("0 3 * * mon", "day-of-week \"mon\" is not a number"),
        ("*/0 3 * * *", "minute step \"0\" is not a positive number"),
        ("0 5-3 * * *", "hour range \"5-3\" runs backwards"),
    ])
    func errors(_ expression: String, _ message: String) {
        #expect {
            try CronSchedule(parsing: expression)
        } throws: { error in
            (error as? CronError)?.message.contains(message) == true
        }
    }
}
