import SextantCore

/// The dashboard's stylesheet and its one small script, served by the daemon
/// (`/dashboard/app.css`, `/dashboard/live.js`). No build chain: plain CSS and plain
/// JavaScript, and every page reads the same without them.
package enum DashboardAssets {
    /// Colours meet WCAG AA contrast on white (4.5:1 for text); every state also has a
    /// word, never colour alone.
    package static let stylesheet = """
        :root { --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
                --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; --accent: #0969da; --focus: #0550ae;
                --stable: #0969da; --candidate: #8250df; --shadow: #57606a; --reference: #57606a; --current: #bc4c00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--accent); }
        a:focus, main:focus, [tabindex]:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
        .skip { position: absolute; left: -9999px; }
        .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 1; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
        header.top nav { font-weight: 600; }
        header.top .brand { text-decoration: none; color: var(--fg); font-size: 1.1rem; }
        header.top p { margin: 0; color: var(--muted); font-size: .9rem; }
        main { padding: 1rem 1.5rem 2rem; max-width: 80rem; }
        h1 { font-size: 1.6rem; margin: .5rem 0; }
        h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--panel); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.chart-cell { min-width: 12rem; }
        table.events td:first-child, table.events td:nth-child(2), table.objects td:nth-child(2) { white-space: nowrap; }
        code { font-size: .88em; }
        .badge { display: inline-block; padding: 0 .45rem; border: 1px solid currentColor; border-radius: 1rem; font-size: .8rem; font-weight: 600; }
        .good { color: var(--good); } .bad { color: var(--bad); } .warn { color: var(--warn); } .muted { color: var(--muted); }
        tr.bad td { color: var(--bad); }
        .good-text { color: var(--good); }
        .banner { padding: .5rem .75rem; border: 1px solid currentColor; border-radius: .3rem; }
        dl.facts { display: flex; flex-wrap: wrap; gap: .25rem 2rem; margin: .5rem 0; }
        dl.facts div { display: flex; gap: .4rem; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-weight: 600; }
        svg { display: block; max-width: 48rem; margin: .5rem 0; }
        td svg { margin: 0; }
        svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
        .series-stable { fill: var(--stable); stroke: var(--stable); }
        .series-candidate { fill: var(--candidate); stroke: var(--candidate); }
        .series-shadow { fill: var(--shadow); stroke: var(--shadow); }
        .series-reference { fill: var(--reference); stroke: var(--reference); }
        .series-current { fill: var(--current); stroke: var(--current); }
        footer { padding: 1rem 1.5rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
        @media (prefers-reduced-motion: no-preference) { main { transition: opacity .15s; } }
        """

    /// Subscribes to the page's event stream (`data-stream` on `<body>`, from the newest
    /// event the page shows) and, when one arrives, fetches the page again and swaps its
    /// `<main>`: no reload, the scroll position kept. The stream names each event by its
    /// reason (`event: RolloutStarted`), so the script listens for every reason there is.
    package static let script: String = """
        (function () {
          "use strict";
          var url = document.body.getAttribute("data-stream");
          var live = document.querySelector(".live");
          if (!url || !window.EventSource) { return; }
          var reasons = \(reasonsJSON);
          var pending = null;
          function say(text) { if (live) { live.textContent = text; live.setAttribute("data-live", "on"); } }
          function refresh() {
            pending = null;
            fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
              .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
              .then(function (html) {
                var next = new DOMParser().parseFromString(html, "text/html").querySelector("main");
                var main = document.querySelector("main");
                if (next && main) { main.innerHTML = next.innerHTML; }
                say("Live: updated " + new Date().toISOString().substring(11, 19) + " UTC");
              })
              .catch(function (problem) { say("Live: could not refresh (" + problem + "); reload to try again"); });
          }
          function changed() { if (pending === null) { pending = window.setTimeout(refresh, 100); } }
          var source = new EventSource(url);
          source.onopen = function () { say("Live: following events"); };
          source.onerror = function () { say("Live: reconnecting"); };
          source.onmessage = changed;
          reasons.forEach(function (reason) { source.addEventListener(reason, changed); });
          // A browser holds six connections per host: a page kept in the back/forward cache
          // with its stream open would take one of them from every later page.
          window.addEventListener("pagehide", function () { source.close(); });
        })();
        """

    /// Every event reason, as a JavaScript array literal.
    private static var reasonsJSON: String {
        "[" + EventReason.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + "]"
    }
}
