/// The dashboard's Mustache templates (swift-mustache), compiled once when the `Dashboard`
/// is made. Every page extends `layout`: one `<main>` the live script replaces when an event
/// arrives, a skip link, and a navigation landmark. Markup is XHTML-compatible (void
/// elements closed, numeric entities only) so a test can parse every page as XML.
enum PageTemplates {
    static let all: [String: String] = [
        "layout": layout, "overview": overview, "model": model, "dataset": dataset, "slo": slo, "missing": missing, "events": events,
        "conditions": conditions, "heading": heading,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{{chrome.title}} · Sextant</title>
        <link rel="stylesheet" href="/dashboard/app.css" />
        <link rel="icon" href="data:," />
        <script src="/dashboard/live.js" defer="defer"></script>
        </head>
        <body data-stream="{{chrome.stream}}">
        <a class="skip" href="#main">Skip to the content</a>
        <header class="top">
        <nav aria-label="Sextant"><a class="brand" href="/">Sextant</a>{{#chrome.crumb}} <span aria-hidden="true">/</span> <span>{{chrome.crumb}}</span>{{/chrome.crumb}}</nav>
        <p class="source">{{chrome.source}}</p>
        <p class="live" role="status" aria-live="polite" data-live="off">Live updates need scripts; reload to refresh.</p>
        </header>
        <main id="main" tabindex="-1">
        {{$content}}{{/content}}
        </main>
        <footer><p>Rendered {{chrome.rendered}} · <a href="/api/v1/status">status JSON</a> · <a href="/api/v1/events?limit=100">events JSON</a> · <a href="/metrics">metrics</a></p></footer>
        </body>
        </html>
        """

    /// An object page's heading: its name with its health and sync, then its phase and message.
    static let heading = """
        {{#object}}
        <h1>{{name}} <span class="badge {{healthTone}}">{{health}}</span> <span class="badge {{syncTone}}">{{sync}}</span></h1>
        <p class="phase"><strong>{{phase}}</strong>: {{message}}</p>
        {{/object}}
        """

    static let events = """
        <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        {{^events}}<p class="muted">No events yet.</p>{{/events}}
        {{^empty(events)}}
        <table class="events">
        <caption class="visually-hidden">The newest events, newest first</caption>
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Object</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">By</th></tr></thead>
        <tbody>
        {{#events}}<tr class="{{tone}}"><td><time datetime="{{iso}}">{{time}}</time></td><td>{{#link}}<a href="{{link}}">{{object}}</a>{{/link}}{{^link}}{{object}}{{/link}}</td><td>{{reason}}</td><td>{{message}}</td><td>{{actor}}</td></tr>
        {{/events}}
        </tbody>
        </table>
        {{/empty(events)}}
        </section>
        """

    static let conditions = """
        {{^empty(conditions)}}
        <section aria-labelledby="conditions-heading">
        <h2 id="conditions-heading">Conditions</h2>
        <table>
        <thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Since (UTC)</th></tr></thead>
        <tbody>
        {{#conditions}}<tr><td>{{type}}</td><td><span class="badge {{tone}}">{{status}}</span></td><td>{{reason}}</td><td>{{message}}</td><td>{{since}}</td></tr>
        {{/conditions}}
        </tbody>
        </table>
        </section>
        {{/empty(conditions)}}
        """

    static let overview = """
        {{<layout}}{{$content}}
        <h1>Overview</h1>
        {{#problem}}<p class="banner bad" role="alert">{{problem}}</p>{{/problem}}
        <section aria-labelledby="objects-heading">
        <h2 id="objects-heading">Objects</h2>
        <p class="summary">{{summary}}</p>
        {{^objects}}<p class="muted">No objects yet: the first reconcile pass has not finished, or the repository has no manifests.</p>{{/objects}}
        {{^empty(objects)}}
        <table class="objects">
        <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Sync</th><th scope="col">Health</th><th scope="col">Phase</th><th scope="col">Message</th></tr></thead>
        <tbody>
        {{#objects}}<tr><td>{{kind}}</td><td>{{#link}}<a href="{{link}}">{{name}}</a>{{/link}}{{^link}}{{name}}{{/link}}</td><td><span class="badge {{syncTone}}">{{sync}}</span></td><td><span class="badge {{healthTone}}">{{health}}</span></td><td>{{phase}}</td><td>{{message}}</td></tr>
        {{/objects}}
        </tbody>
        </table>
        {{/empty(objects)}}
        </section>
        {{>events}}
        {{/content}}{{/layout}}
        """

    static let model = """
        {{<layout}}{{$content}}
        {{>heading}}
        <dl class="facts">{{#facts}}<div><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/facts}}</dl>

        <section aria-labelledby="traffic-heading">
        <h2 id="traffic-heading">Traffic</h2>
        {{{trafficChart}}}
        {{^empty(traffic)}}
        <table>
        <thead><tr><th scope="col">Revision</th><th scope="col">Version</th><th scope="col">Role</th><th scope="col" class="num">Weight</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th><th scope="col" class="num">p99</th></tr></thead>
        <tbody>
        {{#traffic}}<tr><td>{{revision}}</td><td>{{version}}</td><td>{{role}}</td><td class="num">{{weight}}</td><td class="num">{{requests}}</td><td class="num">{{errors}}</td><td class="num">{{p99}}</td></tr>
        {{/traffic}}
        </tbody>
        </table>
        {{/empty(traffic)}}
        {{{historyChart}}}
        </section>

        {{#rollout}}
        <section aria-labelledby="rollout-heading">
        <h2 id="rollout-heading">Rollout</h2>
        <p>{{rollout.summary}}</p>
        {{{rollout.stepsChart}}}
        {{^empty(rollout.objectives)}}
        <h3>Analysis</h3>
        <table>
        <thead><tr><th scope="col">SLO</th><th scope="col">Objective</th><th scope="col" class="num">Target</th><th scope="col" class="num">Samples</th><th scope="col" class="num">Bad</th><th scope="col">Verdict</th><th scope="col">Error budget</th></tr></thead>
        <tbody>
        {{#rollout.objectives}}<tr><td><a href="{{sloLink}}">{{slo}}</a></td><td>{{objective}}</td><td class="num">{{target}}</td><td class="num">{{samples}} of {{required}}</td><td class="num">{{bad}}</td><td><span class="badge {{tone}}">{{verdict}}</span></td><td class="chart-cell">{{{budgetChart}}}</td></tr>
        {{/rollout.objectives}}
        </tbody>
        </table>
        {{/empty(rollout.objectives)}}
        </section>
        {{/rollout}}

        {{#experiment}}
        <section aria-labelledby="experiment-heading">
        <h2 id="experiment-heading">Experiment</h2>
        <p>{{experiment.summary}}</p>
        {{{experiment.chart}}}
        <table>
        <thead><tr><th scope="col">Role</th><th scope="col">Revision</th><th scope="col" class="num">Units</th><th scope="col" class="num">N</th><th scope="col" class="num">Mean</th><th scope="col" class="num">Std</th></tr></thead>
        <tbody>
        {{#experiment.arms}}<tr><td>{{role}}</td><td>{{revision}}</td><td class="num">{{units}}</td><td class="num">{{n}}</td><td class="num">{{mean}}</td><td class="num">{{std}}</td></tr>
        {{/experiment.arms}}
        </tbody>
        </table>
        </section>
        {{/experiment}}

        {{^empty(online)}}
        <section aria-labelledby="online-heading">
        <h2 id="online-heading">Online metrics</h2>
        <table>
        <thead><tr><th scope="col">Revision</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Labelled</th><th scope="col" class="num">Coverage</th><th scope="col">Metrics</th></tr></thead>
        <tbody>
        {{#online}}<tr><td>{{revision}}</td><td class="num">{{rows}}</td><td class="num">{{labelled}}</td><td class="num">{{coverage}}</td><td>{{metrics}}</td></tr>
        {{/online}}
        </tbody>
        </table>
        </section>
        {{/empty(online)}}

        {{#drift}}
        <section aria-labelledby="drift-heading">
        <h2 id="drift-heading">Drift</h2>
        <p>{{drift.summary}}</p>
        {{^empty(drift.features)}}
        <table>
        <thead><tr><th scope="col">Feature</th><th scope="col">Kind</th><th scope="col">Method</th><th scope="col" class="num">Statistic</th><th scope="col" class="num">Threshold</th><th scope="col">Drifted</th></tr></thead>
        <tbody>
        {{#drift.features}}<tr><td>{{name}}</td><td>{{kind}}</td><td>{{method}}</td><td class="num">{{statistic}}</td><td class="num">{{threshold}}</td><td><span class="badge {{tone}}">{{drifted}}</span></td></tr>
        {{/drift.features}}
        </tbody>
        </table>
        {{/empty(drift.features)}}
        {{#drift.charts}}{{{.}}}{{/drift.charts}}
        </section>
        {{/drift}}

        {{^empty(evaluations)}}
        <section aria-labelledby="evaluation-heading">
        <h2 id="evaluation-heading">Evaluation and explanations</h2>
        {{#evaluations}}
        <h3 id="{{id}}">{{heading}}</h3>
        <p>{{summary}} · <a href="{{cardLink}}">model card</a></p>
        <table aria-labelledby="{{id}}">
        <thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th><th scope="col">95% interval</th></tr></thead>
        <tbody>
        {{#metrics}}<tr><td>{{name}}</td><td class="num">{{value}}</td><td>{{interval}}</td></tr>
        {{/metrics}}
        </tbody>
        </table>
        {{^empty(gates)}}
        <table aria-labelledby="{{id}}">
        <thead><tr><th scope="col">Gate</th><th scope="col" class="num">Value</th><th scope="col">Bounds</th><th scope="col">Result</th></tr></thead>
        <tbody>
        {{#gates}}<tr><td>{{gate}}</td><td class="num">{{value}}</td><td>{{bounds}}</td><td><span class="badge {{tone}}">{{result}}</span></td></tr>
        {{/gates}}
        </tbody>
        </table>
        {{/empty(gates)}}
        {{{importanceChart}}}
        {{#explanationNote}}<p class="muted">{{explanationNote}}</p>{{/explanationNote}}
        {{/evaluations}}
        </section>
        {{/empty(evaluations)}}

        <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions and revisions</h2>
        {{{timelineChart}}}
        {{^versions}}<p class="muted">No version trained yet.</p>{{/versions}}
        {{^empty(versions)}}
        <table>
        <thead><tr><th scope="col">Version</th><th scope="col">Trained (UTC)</th><th scope="col">Commit</th><th scope="col">Trainer</th><th scope="col" class="num">Rows</th><th scope="col">Revisions</th><th scope="col">Card</th></tr></thead>
        <tbody>
        {{#versions}}<tr><td>{{label}}</td><td>{{created}}</td><td><code>{{commit}}</code></td><td>{{trainer}}</td><td class="num">{{rows}}</td><td>{{revisions}}</td><td><a href="{{cardLink}}">model card</a></td></tr>
        {{/versions}}
        </tbody>
        </table>
        {{#olderVersions}}<p class="muted">{{olderVersions}}</p>{{/olderVersions}}
        {{/empty(versions)}}
        </section>

        {{^empty(pullRequests)}}
        <section aria-labelledby="prs-heading">
        <h2 id="prs-heading">Pull requests</h2>
        <ul class="prs">
        {{#pullRequests}}<li><span class="badge {{tone}}">{{state}}</span> {{#url}}<a href="{{url}}">{{title}}</a>{{/url}}{{^url}}{{title}}{{/url}} <span class="muted">({{purpose}}, branch <code>{{branch}}</code>, updated {{updated}})</span></li>
        {{/pullRequests}}
        </ul>
        </section>
        {{/empty(pullRequests)}}

        {{^empty(replicas)}}
        <section aria-labelledby="replicas-heading">
        <h2 id="replicas-heading">Replicas</h2>
        <table>
        <thead><tr><th scope="col">Revision</th><th scope="col">Role</th><th scope="col">Endpoint</th><th scope="col">State</th><th scope="col" class="num">Crashes</th><th scope="col">Detail</th></tr></thead>
        <tbody>
        {{#replicas}}<tr><td>{{revision}}</td><td>{{role}}</td><td><code>{{endpoint}}</code></td><td><span class="badge {{tone}}">{{state}}</span></td><td class="num">{{crashes}}</td><td>{{detail}}</td></tr>
        {{/replicas}}
        </tbody>
        </table>
        </section>
        {{/empty(replicas)}}
        {{>conditions}}
        {{>events}}
        {{/content}}{{/layout}}
        """

    static let dataset = """
        {{<layout}}{{$content}}
        {{>heading}}
        <dl class="facts">{{#facts}}<div><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/facts}}</dl>
        <section aria-labelledby="checks-heading">
        <h2 id="checks-heading">Contract checks</h2>
        {{^violations}}<p class="good-text">The last check found no violation.</p>{{/violations}}
        {{^empty(violations)}}<ul class="violations">{{#violations}}<li>{{.}}</li>{{/violations}}</ul>{{/empty(violations)}}
        </section>
        {{>conditions}}
        {{>events}}
        {{/content}}{{/layout}}
        """

    static let slo = """
        {{<layout}}{{$content}}
        {{>heading}}
        <section aria-labelledby="guards-heading">
        <h2 id="guards-heading">Rollouts it judges now</h2>
        {{^guards}}<p class="muted">No rollout in flight is judged by this SLO.</p>{{/guards}}
        {{^empty(guards)}}
        <table>
        <thead><tr><th scope="col">Model</th><th scope="col">Objective</th><th scope="col" class="num">Target</th><th scope="col" class="num">Samples</th><th scope="col" class="num">Bad</th><th scope="col">Verdict</th><th scope="col">Error budget</th></tr></thead>
        <tbody>
        {{#guards}}<tr><td><a href="{{modelLink}}">{{model}}</a></td><td>{{objective}}</td><td class="num">{{target}}</td><td class="num">{{samples}} of {{required}}</td><td class="num">{{bad}}</td><td><span class="badge {{tone}}">{{verdict}}</span></td><td class="chart-cell">{{{budgetChart}}}</td></tr>
        {{/guards}}
        </tbody>
        </table>
        {{/empty(guards)}}
        </section>
        {{>conditions}}
        {{>events}}
        {{/content}}{{/layout}}
        """

    static let missing = """
        {{<layout}}{{$content}}
        <h1>Not found</h1>
        <p>{{message}}</p>
        <p><a href="/">Back to the overview</a></p>
        {{/content}}{{/layout}}
        """
}
