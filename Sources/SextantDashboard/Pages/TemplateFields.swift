import Mustache

// What the templates read of each view, answered by name: swift-mustache otherwise reflects
// a value with `Mirror` for every tag it renders, which cost ~20 µs a lookup — most of a
// page's time. Kept in step with the views' stored properties by
// DashboardPageTests.fieldsMatchTheViews.

extension PageChrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "crumb": self.crumb
        case "source": self.source
        case "stream": self.stream
        case "rendered": self.rendered
        default: nil
        }
    }
}

extension MissingPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": self.chrome
        case "message": self.message
        default: nil
        }
    }
}

extension DatasetPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "object": self.object
        case "chrome": self.chrome
        case "facts": self.facts
        case "violations": self.violations
        case "conditions": self.conditions
        case "events": self.events
        default: nil
        }
    }
}

extension EventRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "iso": self.iso
        case "time": self.time
        case "object": self.object
        case "link": self.link
        case "reason": self.reason
        case "message": self.message
        case "actor": self.actor
        case "tone": self.tone
        default: nil
        }
    }
}

extension ConditionRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "type": self.type
        case "status": self.status
        case "reason": self.reason
        case "message": self.message
        case "since": self.since
        case "tone": self.tone
        default: nil
        }
    }
}

extension Fact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "value": self.value
        default: nil
        }
    }
}

extension ModelPage.EvaluationView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": self.id
        case "heading": self.heading
        case "summary": self.summary
        case "metrics": self.metrics
        case "gates": self.gates
        case "importanceChart": self.importanceChart
        case "explanationNote": self.explanationNote
        case "cardLink": self.cardLink
        default: nil
        }
    }
}

extension ModelPage.EvaluationView.MetricRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": self.value
        case "interval": self.interval
        default: nil
        }
    }
}

extension ModelPage.EvaluationView.GateRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "gate": self.gate
        case "value": self.value
        case "bounds": self.bounds
        case "result": self.result
        case "tone": self.tone
        default: nil
        }
    }
}

extension ModelPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "object": self.object
        case "chrome": self.chrome
        case "facts": self.facts
        case "trafficChart": self.trafficChart
        case "traffic": self.traffic
        case "historyChart": self.historyChart
        case "rollout": self.rollout
        case "experiment": self.experiment
        case "online": self.online
        case "drift": self.drift
        case "evaluations": self.evaluations
        case "timelineChart": self.timelineChart
        case "versions": self.versions
        case "olderVersions": self.olderVersions
        case "pullRequests": self.pullRequests
        case "replicas": self.replicas
        case "conditions": self.conditions
        case "events": self.events
        default: nil
        }
    }
}

extension ModelPage.TrafficRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "revision": self.revision
        case "version": self.version
        case "role": self.role
        case "weight": self.weight
        case "requests": self.requests
        case "errors": self.errors
        case "p99": self.p99
        default: nil
        }
    }
}

extension ModelPage.RolloutView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "summary": self.summary
        case "stepsChart": self.stepsChart
        case "objectives": self.objectives
        default: nil
        }
    }
}

extension ModelPage.ExperimentView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "summary": self.summary
        case "chart": self.chart
        case "arms": self.arms
        default: nil
        }
    }
}

extension ModelPage.ExperimentView.ArmRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "role": self.role
        case "revision": self.revision
        case "units": self.units
        case "n": self.n
        case "mean": self.mean
        case "std": self.std
        default: nil
        }
    }
}

extension ModelPage.OnlineRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "revision": self.revision
        case "rows": self.rows
        case "labelled": self.labelled
        case "coverage": self.coverage
        case "metrics": self.metrics
        default: nil
        }
    }
}

extension ModelPage.DriftView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "summary": self.summary
        case "features": self.features
        case "charts": self.charts
        default: nil
        }
    }
}

extension ModelPage.DriftView.FeatureRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "kind": self.kind
        case "method": self.method
        case "statistic": self.statistic
        case "threshold": self.threshold
        case "drifted": self.drifted
        case "tone": self.tone
        default: nil
        }
    }
}

extension ModelPage.VersionRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "created": self.created
        case "commit": self.commit
        case "trainer": self.trainer
        case "rows": self.rows
        case "revisions": self.revisions
        case "cardLink": self.cardLink
        default: nil
        }
    }
}

extension ModelPage.PullRequestRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "url": self.url
        case "state": self.state
        case "tone": self.tone
        case "purpose": self.purpose
        case "branch": self.branch
        case "updated": self.updated
        default: nil
        }
    }
}

extension ModelPage.ReplicaRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "revision": self.revision
        case "role": self.role
        case "endpoint": self.endpoint
        case "state": self.state
        case "tone": self.tone
        case "crashes": self.crashes
        case "detail": self.detail
        default: nil
        }
    }
}

extension ObjectiveRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "slo": self.slo
        case "sloLink": self.sloLink
        case "model": self.model
        case "modelLink": self.modelLink
        case "objective": self.objective
        case "target": self.target
        case "samples": self.samples
        case "required": self.required
        case "bad": self.bad
        case "verdict": self.verdict
        case "tone": self.tone
        case "budgetChart": self.budgetChart
        default: nil
        }
    }
}

extension OverviewPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": self.chrome
        case "problem": self.problem
        case "summary": self.summary
        case "objects": self.objects
        case "events": self.events
        default: nil
        }
    }
}

extension ObjectSummary: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "kind": self.kind
        case "name": self.name
        case "link": self.link
        case "sync": self.sync
        case "syncTone": self.syncTone
        case "health": self.health
        case "healthTone": self.healthTone
        case "phase": self.phase
        case "message": self.message
        default: nil
        }
    }
}

extension SLOPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "object": self.object
        case "chrome": self.chrome
        case "guards": self.guards
        case "conditions": self.conditions
        case "events": self.events
        default: nil
        }
    }
}
