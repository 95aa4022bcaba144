import Foundation

/// The small vocabulary every chart is written in: escaping, number and time formatting,
/// and builders for elements and for the accessible `<svg>` root.
///
/// Output is deterministic: numbers carry at most two decimals and never depend on the
/// locale, attributes come out in the order given, and times are always UTC. The same
/// input therefore gives byte-identical SVG, which keeps pages cacheable and tests exact.
enum SVG {
    /// Escapes text for use in element content and in attribute values (`&`, `<`, `>`,
    /// `"`, `'`), so a model called `a<b` or a label with quotes cannot break the markup.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if character.value < 0x20 && character != "\t" && character != "\n" {
                    escaped += " "
                } else {
                    escaped.unicodeScalars.append(character)
                }
            }
        }
        return escaped
    }

    /// Formats a number with at most `decimals` (0…2) decimals, trailing zeros dropped:
    /// `12.5`, `0.33`, `100`. Never `-0`, never an exponent; values that are not finite
    /// become `0` so geometry stays valid.
    static func number(_ value: Double, decimals: Int = 2) -> String {
        let places = min(max(decimals, 0), 2)
        guard value.isFinite else { return "0" }
        let scale = places == 0 ? 1.0 : (places == 1 ? 10.0 : 100.0)
        // Bounded so the conversion to Int cannot trap; no chart draws beyond this.
        let clamped = min(max(value, -1e12), 1e12)
        let scaled = Int((clamped * scale).rounded())
        if scaled == 0 { return "0" }
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let divisor = UInt(scale)
        let whole = magnitude / divisor
        var fraction = magnitude % divisor
        guard fraction != 0 else { return sign + String(whole) }
        var digits = places
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(fraction)
        let zeros = String(repeating: "0", count: max(0, digits - padded.count))
        return sign + String(whole) + "." + zeros + padded
    }

    /// A value for people to read, with a real minus sign (U+2212) for negatives:
    /// `−14`, `62.5`. Geometry uses `number(_:)`, whose `-` SVG understands.
    static func label(_ value: Double, decimals: Int = 2) -> String {
        let text = number(value, decimals: decimals)
        return text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }

    /// A percentage for people to read: `label(value) + "%"`, e.g. `62.5%`, `−14%`.
    static func percent(_ value: Double, decimals: Int = 1) -> String {
        label(value, decimals: decimals) + "%"
    }

    /// Turns a caller's id into one safe for XML ids and URL fragments: letters, digits,
    /// `-` and `_` are kept, anything else becomes `-`, and a leading letter is ensured.
    static func identifier(_ raw: String) -> String {
        var result = ""
        for scalar in raw.unicodeScalars {
            let isSafe = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "-" || scalar == "_"
            result.unicodeScalars.append(isSafe ? scalar : "-")
        }
        if let first = result.unicodeScalars.first, (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") {
            return result
        }
        return "chart-" + result
    }

    /// One element: `<name a="1" b="2">content</name>`, or self-closed when `content` is nil.
    /// Attribute values are escaped here; `content` is inserted as given (it is markup), so
    /// text content must go through `text(_:)` or `escape(_:)` first.
    static func element(_ name: String, _ attributes: [(String, String)] = [], content: String? = nil) -> String {
        var markup = "<" + name
        for (key, value) in attributes {
            markup += " " + key + "=\"" + escape(value) + "\""
        }
        guard let content else { return markup + "/>" }
        return markup + ">" + content + "</" + name + ">"
    }

    /// A `<text>` element whose content is escaped.
    static func text(_ string: String, x: Double, y: Double, anchor: TextAnchor = .start,
                     attributes: [(String, String)] = []) -> String {
        var all: [(String, String)] = [("x", number(x)), ("y", number(y))]
        if anchor != .start { all.append(("text-anchor", anchor.rawValue)) }
        all += [("fill", ChartPalette.foreground)] + attributes
        return element("text", all, content: escape(string))
    }

    /// Text coloured by a verdict class (`good`, `bad`, `muted`). The dashboard stylesheet
    /// colours those classes through `color`, so the fill follows `currentColor`; the
    /// `color` attribute is the default when no stylesheet is loaded.
    static func toneText(_ string: String, tone: ChartTone, x: Double, y: Double, anchor: TextAnchor = .start,
                         extraClass: String? = nil, attributes: [(String, String)] = []) -> String {
        var all: [(String, String)] = [("x", number(x)), ("y", number(y))]
        if anchor != .start { all.append(("text-anchor", anchor.rawValue)) }
        let classes = extraClass.map { tone.rawValue + " " + $0 } ?? tone.rawValue
        all += [("class", classes), ("color", tone.colour), ("style", "fill:currentColor")] + attributes
        return element("text", all, content: escape(string))
    }

    /// A straight line.
    static func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                     width: Double = 1, attributes: [(String, String)] = []) -> String {
        element("line", [
            ("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
            ("stroke", stroke), ("stroke-width", number(width)),
        ] + attributes)
    }

    /// A rectangle; negative sizes are drawn as zero rather than making invalid SVG.
    static func rect(x: Double, y: Double, width: Double, height: Double,
                     attributes: [(String, String)] = []) -> String {
        element("rect", [
            ("x", number(x)), ("y", number(y)),
            ("width", number(max(0, width))), ("height", number(max(0, height))),
        ] + attributes)
    }

    /// An SVG path `d` attribute through the points: `M x,y L x,y …`.
    static func polyline(_ points: [(x: Double, y: Double)]) -> String {
        var d = ""
        for (index, point) in points.enumerated() {
            d += (index == 0 ? "M" : " L") + number(point.x) + "," + number(point.y)
        }
        return d
    }

    /// The root `<svg>` of a chart: scales to its container (`width="100%"`, a `viewBox`),
    /// is one image to assistive technology (`role="img"`), and is named by its `<title>` and
    /// described by its `<desc>`, which carries the numbers in words so a screen reader and
    /// a text browser learn what a sighted reader sees.
    ///
    /// `maximumWidth` caps the drawn width in CSS pixels for small charts (a budget bar in a
    /// table cell), so `width="100%"` in a wide container does not blow their text up.
    static func document(id: String, chartClass: String, width: Double, height: Double, maximumWidth: Double? = nil,
                         title: String, description: String, content: String) -> String {
        let titleID = id + "-title"
        let descID = id + "-desc"
        let style = maximumWidth.map { [("style", "max-width:" + number($0) + "px")] } ?? []
        return element("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("id", id),
            ("class", "chart " + chartClass),
            ("viewBox", "0 0 " + number(width) + " " + number(height)),
            ("width", "100%"),
            ("preserveAspectRatio", "xMinYMin meet"),
            ("role", "img"),
            ("aria-labelledby", titleID + " " + descID),
            ("font-family", "system-ui, sans-serif"),
            ("font-size", "12"),
        ] + style, content: element("title", [("id", titleID)], content: escape(title))
            + element("desc", [("id", descID)], content: escape(description))
            + content)
    }

    /// A chart with nothing to draw yet: the same accessible root with one line of text,
    /// so the page keeps its layout and says why the chart is empty.
    static func empty(id: String, chartClass: String, width: Double, maximumWidth: Double? = nil, title: String,
                      message: String) -> String {
        document(id: id, chartClass: chartClass, width: width, height: 32, maximumWidth: maximumWidth, title: title,
                 description: message,
                 content: toneText(message, tone: .muted, x: 4, y: 20, extraClass: "empty"))
    }

    /// A rough width of `text` at the charts' 12 px font, for placing labels without a
    /// layout engine. Errs wide so labels do not touch.
    static func textWidth(_ text: String, fontSize: Double = 12) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    /// `text-anchor` values.
    enum TextAnchor: String {
        case start, middle, end
    }
}
