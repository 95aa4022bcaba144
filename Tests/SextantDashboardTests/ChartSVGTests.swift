import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SextantDashboard

/// A chart's SVG parsed back into a tree, so tests check what a browser would see rather
/// than substrings of markup.
final class ChartNode {
    let name: String
    let attributes: [String: String]
    var children: [ChartNode] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below (and including) this one with the given name, in document order.
    func all(_ name: String) -> [ChartNode] {
        (self.name == name ? [self] : []) + children.flatMap { $0.all(name) }
    }

    /// Every element whose `class` list contains `cssClass`.
    func all(class cssClass: String) -> [ChartNode] {
        let classes = (attributes["class"] ?? "").split(separator: " ").map(String.init)
        return (classes.contains(cssClass) ? [self] : []) + children.flatMap { $0.all(class: cssClass) }
    }

    /// All text below this element, concatenated.
    var allText: String { text + children.map(\.allText).joined() }

    /// A numeric attribute.
    func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }

    /// The root's accessible name and description, found the way assistive technology does:
    /// through the ids `aria-labelledby` lists.
    var labelledBy: [ChartNode] {
        let ids = (attributes["aria-labelledby"] ?? "").split(separator: " ").map(String.init)
        return ids.compactMap { id in all("title").first { $0.attributes["id"] == id } ?? all("desc").first { $0.attributes["id"] == id } }
    }

    var titleText: String { labelledBy.first { $0.name == "title" }?.text ?? "" }
    var descText: String { labelledBy.first { $0.name == "desc" }?.text ?? "" }

    /// Parses `svg` with Foundation's XMLParser; a parse error fails the test.
    static func parse(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ChartNode {
        let parser = XMLParser(data: Data(svg.utf8))
        let builder = Builder()
        parser.delegate = builder
        let parsed = parser.parse()
        #expect(parsed, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
        return try #require(builder.root, sourceLocation: sourceLocation)
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: ChartNode?
        var stack: [ChartNode] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let node = ChartNode(name: elementName, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}

/// Checks every chart must pass: one well-formed `<svg>` that scales, is an image to
/// assistive technology, is named by its `<title>` and described by its `<desc>`.
func expectAccessible(_ svg: String, title: String? = nil, descContains: [String] = [],
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> ChartNode {
    let root = try ChartNode.parse(svg, sourceLocation: sourceLocation)
    #expect(root.name == "svg", sourceLocation: sourceLocation)
    #expect(root.attributes["role"] == "img", sourceLocation: sourceLocation)
    #expect(root.attributes["width"] == "100%", sourceLocation: sourceLocation)
    let viewBox = (root.attributes["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
    #expect(viewBox.count == 4 && viewBox[2] > 0 && viewBox[3] > 0, "viewBox \(viewBox)", sourceLocation: sourceLocation)
    let named = root.labelledBy
    #expect(named.map(\.name) == ["title", "desc"], "aria-labelledby names the title and the desc",
            sourceLocation: sourceLocation)
    #expect(!root.titleText.isEmpty, sourceLocation: sourceLocation)
    if let title { #expect(root.titleText == title, sourceLocation: sourceLocation) }
    for fragment in descContains {
        #expect(root.descText.contains(fragment), "desc lacks \(fragment): \(root.descText)", sourceLocation: sourceLocation)
    }
    // Ids are unique and all carry the chart's prefix.
    let ids = root.allNodes.compactMap { $0.attributes["id"] }
    #expect(Set(ids).count == ids.count, "duplicate ids \(ids)", sourceLocation: sourceLocation)
    if let prefix = root.attributes["id"] {
        #expect(ids.allSatisfy { $0.hasPrefix(prefix) }, "ids \(ids) share the prefix \(prefix)", sourceLocation: sourceLocation)
    }
    return root
}

extension ChartNode {
    /// This node and every node below it.
    var allNodes: [ChartNode] { [self] + children.flatMap(\.allNodes) }
}

@Suite struct ChartSVGTests {
    @Test("numbers carry at most two decimals, no exponent, no -0, whatever the value", arguments: [
        (0.0, "0"), (1.0, "1"), (12.5, "12.5"), (0.333333, "0.33"), (2.0 / 3.0, "0.67"), (-0.001, "0"),
        (-14.25, "-14.25"), (100.004, "100"), (0.05, "0.05"), (1e20, "1000000000000"), (.nan, "0"),
        (.infinity, "0"), (1234567.891, "1234567.89"), (0.1 + 0.2, "0.3"),
    ])
    func numberFormatting(value: Double, expected: String) {
        #expect(SVG.number(value) == expected)
    }

    @Test("labels for people use a real minus sign and the asked decimals")
    func labels() {
        #expect(SVG.label(-14) == "\u{2212}14")
        #expect(SVG.percent(62.46) == "62.5%")
        #expect(SVG.percent(-14, decimals: 0) == "\u{2212}14%")
        #expect(SVG.number(2.75, decimals: 1) == "2.8")
    }

    @Test("text and attribute values are escaped and come back intact after parsing")
    func escaping() throws {
        let nasty = "a<b & \"c\" 'd' > e"
        #expect(SVG.escape(nasty) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt; e")
        let markup = SVG.element("g", [("data-name", nasty)], content: SVG.escape(nasty))
        let node = try ChartNode.parse(markup)
        #expect(node.attributes["data-name"] == nasty)
        #expect(node.text == nasty)
    }

    @Test("caller ids become safe XML ids with a leading letter", arguments: [
        ("split-fraud", "split-fraud"), ("3rd chart", "chart-3rd-chart"), ("a\"b<c", "a-b-c"), ("", "chart-"),
    ])
    func identifiers(raw: String, expected: String) {
        #expect(SVG.identifier(raw) == expected)
    }

    @Test("UTC times are formatted without a locale, across years and before 1970", arguments: [
        (0.0, "1970-01-01 00:00:00 UTC"), (1_796_269_421, "2026-12-03 03:43:41 UTC"),
        (951_782_400, "2000-02-29 00:00:00 UTC"), (-1, "1969-12-31 23:59:59 UTC"),
    ])
    func times(seconds: Double, expected: String) {
        #expect(ChartTime.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("time ticks fall on round steps inside the span, never more than asked", arguments: [
        (0.0, 180.0, 5, ["03:00:00", "03:01:00", "03:02:00", "03:03:00"]),
        (7.0, 407.0, 5, ["03:02:00", "03:04:00", "03:06:00"]),
        (30.0, 30.0, 5, ["03:00:30"]),
        (0.0, 3_600.0, 3, ["03:00:00", "03:30:00", "04:00:00"]),
    ])
    func ticks(from: Double, to: Double, count: Int, expected: [String]) {
        let base = 1_796_266_800.0 // 2026-12-03 03:00:00 UTC
        let ticks = ChartTime.ticks(from: Date(timeIntervalSince1970: base + from), to: Date(timeIntervalSince1970: base + to),
                                    count: count)
        #expect(ticks.map(ChartTime.clock) == expected)
    }
}
