import SextantYAML

/// What to add when a command is given a name nothing has: the nearest known name when
/// it looks like a typo, else the known names (`history`, `promote`, `abort`, `retry` and
/// the daemon's API say it the same way).
public enum UnknownName {
    /// `; did you mean "fraud-detector"?`, or `; known: churn, fraud-detector`, or "" when nothing is known.
    public static func hint(_ name: String, known: [String]) -> String {
        if let nearest = NearestName.closest(to: name, in: known) { return "; did you mean \"\(nearest)\"?" }
        let sorted = known.sorted()
        guard !sorted.isEmpty else { return "" }
        return "; known: " + sorted.prefix(10).joined(separator: ", ") + (sorted.count > 10 ? ", …" : "")
    }
}
