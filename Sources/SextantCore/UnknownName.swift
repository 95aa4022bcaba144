import SextantYAML

/// What to add when a command or the API is given a name nothing has: the nearest known
/// name when it looks like a typo or a short form of one, else where to find the names.
/// One wording for `status`, `get`, `history`, `promote`, `abort`, `retry` and the daemon's
/// API.
package enum UnknownName {
    /// `; did you mean "fraud-detector"?`, or ``; `sextant status` lists them all``.
    ///
    /// - Parameters:
    ///   - preferred: names looked at first (`status fraud`: the model `fraud-detector`
    ///     before the SLO `fraud-latency`).
    ///   - listing: what lists the names (`sextant status`, `GET /api/v1/status`).
    ///   - qualifier: written before the suggestion, as the caller wrote it (`Model/`).
    package static func hint(_ name: String, known: [String], preferring preferred: [String] = [], listing: String,
                            qualifier: String = "") -> String {
        guard let nearest = NearestName.closest(to: name, in: preferred) ?? NearestName.closest(to: name, in: known) else {
            return "; `\(listing)` lists them all"
        }
        return NearestName.didYouMean(qualifier + nearest)
    }
}
