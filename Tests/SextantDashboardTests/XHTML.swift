import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A page parsed as XML: the dashboard writes XHTML-compatible markup, so a page that does
/// not parse is broken markup. A tiny tree to query in tests.
final class XHTMLElement {
    let name: String
    let attributes: [String: String]
    var children: [XHTMLElement] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below (and including) this one named `name`, in document order.
    func all(_ name: String) -> [XHTMLElement] {
        (self.name == name ? [self] : []) + children.flatMap { $0.all(name) }
    }

    /// All text below this element, in order.
    var allText: String { text + children.map(\.allText).joined() }

    static func parse(_ html: String) throws -> XHTMLElement {
        // XMLParser knows no HTML doctype's missing system id; the doctype says nothing here.
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let builder = Builder()
        let parser = XMLParser(data: Data(body.utf8))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw ParseError(message: "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "no root")")
        }
        return root
    }

    struct ParseError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XHTMLElement?
        var stack: [XHTMLElement] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            let element = XHTMLElement(name: elementName, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
