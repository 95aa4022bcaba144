import SextantYAML

extension SLOSpec {
    func validate(into issues: inout Issues) {
        let path: FieldPath = ["spec"]
        if indicatorRef != nil {
            issues.add(path.appending("indicatorRef"), "Sextant reads inline indicators only; move the SLI into spec.indicator", atKey: true)
        }
        if let indicator {
            let spec = path.appending("indicator").appending("spec")
            switch (indicator.spec.thresholdMetric, indicator.spec.ratioMetric) {
            case (nil, nil):
                issues.add(spec, "the indicator needs thresholdMetric or ratioMetric")
            case (.some, .some):
                issues.add(spec.appending("ratioMetric"), "thresholdMetric and ratioMetric exclude each other; keep one", atKey: true)
            case (let threshold?, nil):
                let metric = threshold.validate(at: spec.appending("thresholdMetric"), into: &issues)
                if metric == .requests {
                    issues.add(spec.appending("thresholdMetric"), "requests is counted, not measured; use ratioMetric with good or bad and total")
                }
                // accuracy is a ratio of labelled rows: its objectives have a target only.
                if metric != .accuracy { validateThresholdObjectives(into: &issues, metric: metric) }
            case (nil, let ratio?):
                validate(ratio, at: spec.appending("ratioMetric"), into: &issues)
            }
        } else if indicatorRef == nil {
            issues.add(path, "the SLO needs an inline indicator")
        }
        switch timeWindow?.count ?? 0 {
        case 0: issues.add(path, "the SLO needs timeWindow: [{duration: 5m, isRolling: true}]")
        case 1:
            let window = timeWindow![0]
            let field = path.appending("timeWindow").appending(index: 0)
            if ManifestDuration(window.duration).map({ $0.milliseconds <= 0 }) ?? true {
                issues.add(field.appending("duration"), "\"\(window.duration)\" is not a duration; write a number and a unit, like 5m or 28d")
            }
            if window.isRolling == false {
                issues.add(field.appending("isRolling"), "Sextant evaluates rolling windows only; set isRolling: true")
            }
        default: issues.add(path.appending("timeWindow").appending(index: 1), "give exactly one time window")
        }
        if let method = budgetingMethod, method != "Occurrences" {
            issues.add(path.appending("budgetingMethod"), "Sextant supports budgetingMethod Occurrences (each request counts)")
        } else if budgetingMethod == nil {
            issues.add(path, "the SLO needs budgetingMethod: Occurrences")
        }
        guard let objectives, !objectives.isEmpty else {
            issues.add(path, "the SLO needs at least one objective")
            return
        }
        // An online metric (auc, f1, rmse, …) is compared as a whole: op and value, no target.
        let comparesMetric = indicator?.spec.thresholdMetric?.metricSource.sextantQuery.flatMap { SextantMetric(rawValue: $0.metric) }?.isOnlineMetric == true
        for (index, objective) in objectives.enumerated() {
            let field = path.appending("objectives").appending(index: index)
            switch (objective.target, objective.targetPercent) {
            case (nil, nil) where comparesMetric:
                break
            case (nil, nil):
                issues.add(field, "the objective needs target (like 0.99) or targetPercent (like 99)")
            case (let target?, nil) where !(target > 0 && target < 1):
                issues.add(field.appending("target"), "target \(target.manifestText) must be between 0 and 1 (exclusive), like 0.99" + (target > 1 && target < 100 ? "; for a percentage use targetPercent: \(target.manifestText)" : ""))
            case (nil, let percent?) where !(percent > 0 && percent < 100):
                issues.add(field.appending("targetPercent"), "targetPercent \(percent.manifestText) must be between 0 and 100 (exclusive)")
            case (.some, .some):
                issues.add(field.appending("targetPercent"), "target and targetPercent exclude each other; keep one", atKey: true)
            default: break
            }
        }
    }

    private func validateThresholdObjectives(into issues: inout Issues, metric: SextantMetric?) {
        for (index, objective) in (objectives ?? []).enumerated() {
            let field = FieldPath(["spec", "objectives", .index(index)])
            if let op = objective.op {
                if !["lt", "lte", "gt", "gte"].contains(op) {
                    issues.add(field.appending("op"), "op \"\(op)\" must be lt, lte, gt or gte")
                }
            } else {
                issues.add(field, "a threshold objective needs op (lt, lte, gt, gte)")
            }
            if objective.value == nil {
                issues.add(field, metric?.isOnlineMetric == true ? "a threshold objective needs value: the metric's threshold, like 0.9"
                    : "a threshold objective needs value: the threshold, like 50 (milliseconds)")
            }
        }
    }

    private func validate(_ ratio: SLORatioMetric, at path: FieldPath, into issues: inout Issues) {
        switch (ratio.good, ratio.bad) {
        case (nil, nil): issues.add(path, "ratioMetric needs good or bad, and total")
        case (.some, .some): issues.add(path.appending("bad"), "good and bad exclude each other; keep one", atKey: true)
        default: break
        }
        guard let total = ratio.total else {
            issues.add(path, "ratioMetric needs total: {metricSource: {type: sextant, spec: {metric: requests}}}")
            return
        }
        for (name, metric, outcome) in [("good", ratio.good, "success"), ("bad", ratio.bad, "error"), ("total", Optional(total), nil)] {
            guard let metric else { continue }
            let field = path.appending(name)
            guard let kind = metric.validate(at: field, into: &issues) else { continue }
            if kind != .requests {
                issues.add(field.appending("metricSource").appending("spec").appending("metric"), "a ratio counts requests; use metric: requests")
            }
            let given = metric.metricSource.sextantQuery?.outcome
            if let outcome, given != outcome {
                issues.add(field.appending("metricSource").appending("spec"), "\(name) counts requests with outcome: \(outcome)")
            }
            if outcome == nil, given != nil {
                issues.add(field.appending("metricSource").appending("spec").appending("outcome"), "total counts every request; remove outcome", atKey: true)
            }
        }
    }
}

extension SLOMetric {
    /// Checks the metric source and returns the metric when it is one of Sextant's.
    func validate(at path: FieldPath, into issues: inout Issues) -> SextantMetric? {
        let source = path.appending("metricSource")
        guard metricSource.type == "sextant" else {
            issues.add(source.appending("type"), "metric source \"\(metricSource.type)\" is not supported; use type: sextant (Sextant measures its own gateway)")
            return nil
        }
        guard let spec = metricSource.sextantQuery else {
            if let metric = metricSource.spec?["metric"], metric.string == nil {
                issues.add(source.appending("spec").appending("metric"), "metric must be one of \(SextantMetric.allowedValues)")
            } else {
                issues.add(metricSource.spec == nil ? source : source.appending("spec"), "a sextant metric source needs spec: {metric: \(SextantMetric.allowedValues)}")
            }
            return nil
        }
        if let outcome = metricSource.spec?["outcome"], outcome.string == nil {
            issues.add(source.appending("spec").appending("outcome"), "outcome must be success or error")
        }
        guard let metric = SextantMetric(rawValue: spec.metric) else {
            issues.add(source.appending("spec").appending("metric"), "\"\(spec.metric)\" is not a Sextant metric: \(SextantMetric.allowedValues)")
            return nil
        }
        if let outcome = spec.outcome, outcome != "success", outcome != "error" {
            issues.add(source.appending("spec").appending("outcome"), "outcome must be success or error")
        }
        return metric
    }
}
