/// What a revision does with traffic, as the traffic charts draw it: each role has its own
/// CSS class (`series-stable`, …), default colour and word.
package enum TrafficRole: String, Sendable, CaseIterable {
    /// Serves the bulk of requests.
    case stable
    /// Being rolled out: serves a share that grows step by step.
    case candidate
    /// Receives mirrored copies of requests; its answers are never returned.
    case shadow
    /// Any other revision (e.g. an old one still draining).
    case other

    /// The class the dashboard stylesheet colours.
    var cssClass: String { "series-" + rawValue }

    /// The default colour when no stylesheet is loaded.
    var colour: String {
        switch self {
        case .stable: ChartPalette.stable
        case .candidate: ChartPalette.candidate
        case .shadow: ChartPalette.shadow
        case .other: ChartPalette.other
        }
    }
}
