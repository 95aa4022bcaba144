package import Foundation
import Mustache
import SextantAPI
package import SextantCore

/// The daemon's read-only web UI (DESIGN §11): an overview of every object and a page per
/// model, dataset and SLO, rendered on the server from the saved status, the registries and
/// the newest events, with SVG charts drawn in Swift. Readable with scripts off; a small
/// script (`DashboardAssets.script`) replaces the page's `<main>` when an event arrives on
/// `GET /api/v1/events/stream`.
///
/// Pure: what a page shows is a function of its inputs and `now`, so tests render pages
/// without a daemon.
package struct Dashboard: Sendable {
    private let library: MustacheLibrary

    /// How many events a page lists (the newest).
    package static let eventLimit = 50

    package init() {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                // The templates are constants every test renders: a broken one is a bug here.
                preconditionFailure("dashboard template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// `/`: every object with its sync, health, phase and message, and the newest events.
    package func overview(_ status: StatusDocument?, events: [Event], now: Date) -> String {
        render(OverviewPage(status, events: events, now: now), "overview")
    }

    /// `/models/NAME`, or nil when no model has that name.
    package func model(_ name: String, status: StatusDocument?, registry: ModelRegistry?, events: [Event], now: Date) -> String? {
        guard let object = status?.objects.first(where: { $0.kind == .model && $0.name == name }) else { return nil }
        return render(ModelPage(object, status: status!, registry: registry, events: events, now: now), "model")
    }

    /// `/datasets/NAME`, or nil when no dataset has that name.
    package func dataset(_ name: String, status: StatusDocument?, events: [Event], now: Date) -> String? {
        guard let object = status?.objects.first(where: { $0.kind == .dataset && $0.name == name }) else { return nil }
        return render(DatasetPage(object, status: status!, events: events, now: now), "dataset")
    }

    /// `/slos/NAME`, or nil when no SLO has that name.
    package func slo(_ name: String, status: StatusDocument?, events: [Event], now: Date) -> String? {
        guard let object = status?.objects.first(where: { $0.kind == .slo && $0.name == name }) else { return nil }
        return render(SLOPage(object, status: status!, events: events, now: now), "slo")
    }

    /// A page for a path that names nothing: what was asked and where to go.
    package func missing(_ message: String, status: StatusDocument?, now: Date) -> String {
        render(MissingPage(chrome: PageChrome(title: "Not found", crumb: nil, status: status, stream: nil, now: now), message: message), "missing")
    }

    private func render(_ page: Any, _ template: String) -> String {
        guard let html = library.render(page, withTemplate: template) else { preconditionFailure("no dashboard template \(template)") }
        return html
    }
}

/// What every page's frame shows: the title, where it is, which commit the daemon follows,
/// and the event stream its live script listens to.
struct PageChrome {
    var title: String
    var crumb: String?
    /// `branch @ commit (reconciled …)`.
    var source: String
    /// The stream URL, from the newest event shown; nil: no live updates for this page.
    var stream: String?
    var rendered: String

    init(title: String, crumb: String?, status: StatusDocument?, stream: String?, now: Date) {
        self.title = title
        self.crumb = crumb
        self.stream = stream
        rendered = Format.time(now)
        if let revision = status?.revision {
            var source = "\(revision.branch) @ \(revision.appliedCommit.map(Format.commit) ?? "no commit applied")"
            if let reconciled = revision.reconciledAt { source += ", reconciled \(Format.ago(reconciled, now: now))" }
            if let error = revision.error { source += " · \(error)" }
            self.source = source
        } else {
            source = "no status yet: the first reconcile pass has not finished"
        }
    }

    /// `/api/v1/events/stream?since=N[&name=NAME]`: the events after those on the page.
    static func stream(after events: [Event], name: String? = nil) -> String {
        let since = events.compactMap(\.id).max() ?? 0
        return "/api/v1/events/stream?since=\(since)" + (name.map { "&name=" + Format.query($0) } ?? "")
    }
}

struct MissingPage {
    var chrome: PageChrome
    var message: String
}
