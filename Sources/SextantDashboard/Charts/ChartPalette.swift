/// Default colours for the charts, used as `fill`/`stroke` attributes so a chart reads
/// well even without the dashboard stylesheet; the stylesheet's `series-*`, `good`, `bad`
/// and `muted` classes override them to theme the page.
///
/// Every colour has at least 4.5:1 contrast on white (WCAG AA for text), and no chart
/// relies on colour alone: series also differ by label, dash pattern or hatching.
enum ChartPalette {
    /// Text and axes (#1f2328 on white: 15.8:1).
    static let foreground = "#1f2328"
    /// Secondary text, gridlines' labels, pending states (#57606a: 6.4:1).
    static let muted = "#57606a"
    /// Gridlines and tracks; decorative only, never the sole carrier of meaning.
    static let grid = "#d0d7de"
    /// Passed, budget left, promoted (#1a7f37: 5.1:1).
    static let good = "#1a7f37"
    /// Failed, budget exhausted, rolled back (#cf222e: 5.4:1).
    static let bad = "#cf222e"
    /// The stable revision (#0969da: 5.2:1).
    static let stable = "#0969da"
    /// The candidate revision (#8250df: 5.1:1).
    static let candidate = "#8250df"
    /// A shadow revision receiving mirrored traffic (#57606a: 6.4:1).
    static let shadow = "#57606a"
    /// The reference distribution in drift charts (#57606a: 6.4:1).
    static let reference = "#57606a"
    /// The current distribution in drift charts (#bc4c00: 5.1:1).
    static let current = "#bc4c00"
    /// Further series beyond stable/candidate/shadow (#0a7a6a teal: 5.2:1).
    static let other = "#0a7a6a"
}

/// The verdict classes the dashboard stylesheet colours; every chart that colours a state
/// also says it in words.
enum ChartTone: String {
    case good, bad, muted

    /// The default colour when no stylesheet is loaded.
    var colour: String {
        switch self {
        case .good: ChartPalette.good
        case .bad: ChartPalette.bad
        case .muted: ChartPalette.muted
        }
    }
}
