import SextantYAML

extension RolloutPolicySpec {
    func validate(into issues: inout Issues) {
        let path: FieldPath = ["spec"]
        let steps = self.steps ?? []
        switch strategy {
        case .replace, .blueGreen, .experiment:
            if !steps.isEmpty {
                issues.add(path.appending("steps"), "steps apply to canary and shadow strategies, not \(strategy.rawValue)", atKey: true)
            }
        case .canary:
            if !steps.contains(where: { $0.setWeight != nil }) {
                issues.add(steps.isEmpty ? path : path.appending("steps"), "a canary needs steps with at least one setWeight, like [{setWeight: 10}, {pause: {duration: 1m}}]")
            }
        case .shadow:
            break
        }
        if strategy == .experiment, experiment == nil {
            issues.add(path, "an experiment needs `experiment: {kpi: {name: converted, kind: proportion}}` naming the KPI it compares")
        }
        for (index, step) in steps.enumerated() {
            let field = path.appending("steps").appending(index: index)
            switch (step.setWeight, step.pause) {
            case (nil, nil): issues.add(field, "a step is either setWeight or pause")
            case (.some, .some): issues.add(field.appending("pause"), "a step is either setWeight or pause, not both; split it into two steps", atKey: true)
            case (let weight?, nil): issues.checkPercent(weight, at: field.appending("setWeight"))
            case (nil, let pause?): issues.checkPositive(pause.duration, at: field.appending("pause").appending("duration"))
            }
        }
        if let blueGreen {
            if strategy != .blueGreen { issues.add(path.appending("blueGreen"), "blueGreen applies only to strategy: blueGreen", atKey: true) }
            issues.checkPositive(blueGreen.previewDuration, at: path.appending("blueGreen").appending("previewDuration"))
            issues.checkPercent(blueGreen.mirrorPercent, at: path.appending("blueGreen").appending("mirrorPercent"), allowZero: false)
        }
        if let shadow {
            if strategy != .shadow { issues.add(path.appending("shadow"), "shadow applies only to strategy: shadow", atKey: true) }
            issues.checkPositive(shadow.duration, at: path.appending("shadow").appending("duration"))
            issues.checkPercent(shadow.mirrorPercent, at: path.appending("shadow").appending("mirrorPercent"), allowZero: false)
        }
        if let experiment {
            validate(experiment, at: path.appending("experiment"), into: &issues)
        }
        if let headerRoute {
            if strategy == .replace {
                issues.add(path.appending("headerRoute"), "a replace has no candidate to route to; remove headerRoute", atKey: true)
            }
            if !Self.isHeaderName(headerRoute.name) {
                issues.add(path.appending("headerRoute").appending("name"), "\"\(headerRoute.name)\" is not a valid HTTP header name")
            }
        }
        if let analysis {
            let field = path.appending("analysis")
            issues.checkPositive(analysis.interval, at: field.appending("interval"))
            issues.checkPositive(analysis.maxStepDuration, at: field.appending("maxStepDuration"))
            if let minSamples = analysis.minSamples, minSamples < 1 {
                issues.add(field.appending("minSamples"), "minSamples must be at least 1")
            }
            if let failureLimit = analysis.failureLimit, failureLimit < 0 {
                issues.add(field.appending("failureLimit"), "failureLimit must be 0 or more")
            }
        }
        if let window = rollback?.window, window < 0 {
            issues.add(path.appending("rollback").appending("window"), "window must be 0 or more")
        }
        if let delay = scaleDownDelay, delay.milliseconds < 0 {
            issues.add(path.appending("scaleDownDelay"), "scaleDownDelay must be 0 or more")
        }
    }

    private func validate(_ experiment: ExperimentSpec, at field: FieldPath, into issues: inout Issues) {
        if strategy != .experiment { issues.add(field, "experiment applies only to strategy: experiment", atKey: true) }
        if let split = experiment.split, !(1...99).contains(split) {
            issues.add(field.appending("split"), "split is the candidate's percent of units: 1 to 99, not \(split)")
        }
        if let header = experiment.unit?.header, !Self.isHeaderName(header) {
            issues.add(field.appending("unit").appending("header"), "\"\(header)\" is not a valid HTTP header name")
        }
        if experiment.kpi.name.isEmpty || experiment.kpi.name.contains(where: { $0.isWhitespace }) {
            issues.add(field.appending("kpi").appending("name"), "a KPI name is the key feedback sends in `kpi`, like converted: not empty, no spaces")
        }
        if let minSamples = experiment.minSamples, minSamples < 2 {
            issues.add(field.appending("minSamples"), "minSamples must be at least 2 (a standard deviation needs two values per arm)")
        }
        issues.checkPositive(experiment.maxDuration, at: field.appending("maxDuration"))
        if let alpha = experiment.alpha, !(alpha > 0 && alpha < 0.5) {
            issues.add(field.appending("alpha"), "alpha is the false-positive rate: above 0 and below 0.5, like 0.05")
        }
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
        }
    }
}
