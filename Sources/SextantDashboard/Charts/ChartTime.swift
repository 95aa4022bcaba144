import Foundation

/// Time for the charts' axes and descriptions, always in UTC and computed by arithmetic
/// (no formatter, no locale, no time-zone database), so output is the same on every host.
enum ChartTime {
    /// `HH:mm:ss`, e.g. `03:53:41`.
    static func clock(_ date: Date) -> String {
        let seconds = secondsOfDay(date)
        return pad(seconds / 3600) + ":" + pad(seconds / 60 % 60) + ":" + pad(seconds % 60)
    }

    /// `yyyy-MM-dd`, e.g. `2026-12-03`.
    static func day(_ date: Date) -> String {
        let (year, month, day) = civil(daysSinceEpoch(date))
        return String(year) + "-" + pad(month) + "-" + pad(day)
    }

    /// `yyyy-MM-dd HH:mm:ss UTC`, for descriptions.
    static func timestamp(_ date: Date) -> String {
        day(date) + " " + clock(date) + " UTC"
    }

    /// A label for an axis tick: the clock when the axis spans under a day, else the day
    /// and the minute (`12-03 03:53`).
    static func tick(_ date: Date, span: TimeInterval) -> String {
        guard span >= 86_400 else { return clock(date) }
        let dayText = day(date)
        let seconds = secondsOfDay(date)
        return String(dayText.dropFirst(5)) + " " + pad(seconds / 3600) + ":" + pad(seconds / 60 % 60)
    }

    /// Tick times between `start` and `end` at a round step (1 s … 30 min, 1 h … 12 h,
    /// 1 d, 2 d, 7 d, 30 d), the smallest step that gives at most `count` ticks; `start`
    /// alone when the span is empty or `count` is under 2.
    static func ticks(from start: Date, to end: Date, count: Int) -> [Date] {
        let span = end.timeIntervalSince(start)
        guard span > 0, count > 1 else { return [start] }
        let steps: [TimeInterval] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800,
                                     21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000]
        let step = steps.first { (span / $0).rounded(.down) + 1 <= Double(count) } ?? span / Double(count - 1)
        let first = (start.timeIntervalSince1970 / step).rounded(.up) * step
        var ticks: [Date] = []
        var tick = first
        while tick <= end.timeIntervalSince1970, ticks.count < count {
            ticks.append(Date(timeIntervalSince1970: tick))
            tick += step
        }
        return ticks.isEmpty ? [start] : ticks
    }

    /// A duration for people: `45 s`, `12 min`, `3 h`, `2 d`.
    static func duration(_ interval: TimeInterval) -> String {
        let seconds = abs(interval)
        if seconds < 120 { return SVG.number(seconds, decimals: 0) + " s" }
        if seconds < 7_200 { return SVG.number(seconds / 60, decimals: 0) + " min" }
        if seconds < 172_800 { return SVG.number(seconds / 3_600, decimals: 0) + " h" }
        return SVG.number(seconds / 86_400, decimals: 0) + " d"
    }

    private static func wholeSeconds(_ date: Date) -> Int {
        let value = date.timeIntervalSince1970
        // Dates beyond ±10,000 years are not a chart's business; clamp so Int cannot trap.
        return Int(min(max(value, -3e11), 3e11).rounded(.down))
    }

    private static func secondsOfDay(_ date: Date) -> Int {
        let seconds = wholeSeconds(date) % 86_400
        return seconds < 0 ? seconds + 86_400 : seconds
    }

    private static func daysSinceEpoch(_ date: Date) -> Int {
        let seconds = wholeSeconds(date)
        return seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard
    /// Hinnant's well-known `civil_from_days` derivation.
    private static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
