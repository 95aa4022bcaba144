import Foundation
import SextantYAML

extension ModelSpec {
    func validate(into issues: inout Issues) {
        let spec: FieldPath = ["spec"]
        if let features {
            if features.isEmpty { issues.add(spec.appending("features"), "features is empty; list the input columns or omit it to use every contract column") }
            var seen = Set<String>()
            for (index, feature) in features.enumerated() {
                if !seen.insert(feature).inserted {
                    issues.add(spec.appending("features").appending(index: index), "feature \"\(feature)\" is listed twice")
                }
                if feature == target {
                    issues.add(spec.appending("features").appending(index: index), "the target \"\(target)\" cannot also be a feature")
                }
            }
        }
        training.validate(task: task, into: &issues)
        evaluation?.validate(task: task, into: &issues)
        serving?.validate(training: training, into: &issues)
        monitoring?.validate(into: &issues)
        privacy?.validate(into: &issues)
        if serving == nil, training.trainer == nil {
            issues.add(spec.appending("serving"), "an external trainer needs serving.runtime: command and serving.command, "
                       + "or serving.runtime: rayServe and serving.importPath (built-in serving loads only built-in models)")
        }
    }
}

extension PrivacySpec {
    /// Each allowance names a column once and says why; whether the column is classified
    /// needs the contract (`ManifestSet+References`).
    func validate(into issues: inout Issues) {
        let path: FieldPath = ["spec", "privacy", "allowClassified"]
        var seen = Set<String>()
        for (index, allowance) in (allowClassified ?? []).enumerated() {
            let entry = path.appending(index: index)
            if !seen.insert(allowance.column).inserted {
                issues.add(entry.appending("column"), "column \"\(allowance.column)\" is allowed twice; keep one entry")
            }
            if allowance.reason.allSatisfy(\.isWhitespace) {
                issues.add(entry.appending("reason"), "reason is empty; say why the model needs \(allowance.column) (the model card shows it)")
            }
        }
    }
}

extension TrainingSpec {
    func validate(task: ModelTask, into issues: inout Issues) {
        let path: FieldPath = ["spec", "training"]
        switch (trainer, command) {
        case (nil, nil):
            issues.add(path, "give either trainer (\(BuiltinTrainer.allowedValues)) or command (an external trainer)")
        case (.some, .some):
            issues.add(path.appending("command"), "trainer and command exclude each other; keep one", atKey: true)
        case (let trainer?, nil):
            if !trainer.tasks.contains(task) {
                issues.add(path.appending("trainer"), "\(trainer.rawValue) does not learn \(task.rawValue); use \(Self.trainers(for: task))")
            }
            if context != nil {
                issues.add(path.appending("context"), "context applies only to an external trainer (command)", atKey: true)
            }
            for (name, value) in (hyperparameters ?? [:]).sorted(by: { $0.key < $1.key }) {
                let field = path.appending("hyperparameters").appending(name)
                guard BuiltinTrainer.hyperparameters.contains(name) else {
                    issues.add(field, "\(trainer.rawValue) has no hyperparameter \"\(name)\"; built-in trainers take \(BuiltinTrainer.hyperparameters.joined(separator: ", "))", atKey: true)
                    continue
                }
                guard let number = value.number else {
                    issues.add(field, "\(name) must be a number")
                    continue
                }
                // Comparisons false for NaN: `.nan` and `.inf` fail them too (the trainer reads
                // maxIterations as an Int, which 1e300 or .inf would trap).
                switch name {
                case "l2" where !(number >= 0 && number.isFinite): issues.add(field, "l2 must be a finite number, 0 or more")
                case "maxIterations" where !(number >= 1 && number <= Double(Int32.max) && number == number.rounded()):
                    issues.add(field, "maxIterations must be a whole number from 1 to \(Int32.max)")
                case "tolerance" where !(number > 0 && number.isFinite): issues.add(field, "tolerance must be a finite number more than 0")
                default: break
                }
            }
        case (nil, let command?):
            if command.isEmpty || command[0].isEmpty {
                issues.add(path.appending("command"), "command is empty; give the program and its arguments, like [python3, trainers/train.py]")
            }
            if let context { issues.checkConfined(context, at: path.appending("context")) }
        }
        if let timeout, timeout.milliseconds <= 0 {
            issues.add(path.appending("timeout"), "timeout must be longer than 0")
        }
    }

    static func trainers(for task: ModelTask) -> String {
        BuiltinTrainer.allCases.filter { $0.tasks.contains(task) }.map(\.rawValue).joined(separator: " or ") + " (or an external command)"
    }
}

extension EvaluationSpec {
    func validate(task: ModelTask, into issues: inout Issues) {
        let path: FieldPath = ["spec", "evaluation"]
        if let holdout = split?.holdout, !(holdout > 0 && holdout < 1) {
            issues.add(path.appending("split").appending("holdout"), "holdout \(holdout.manifestText) must be between 0 and 1 (exclusive), like 0.2")
        }
        if split?.stratify == true, task == .regression {
            issues.add(path.appending("split").appending("stratify"), "stratify applies to classification; a regression target has no classes")
        }
        for (index, gate) in (gates ?? []).enumerated() {
            gate.validate(task: task, at: path.appending("gates").appending(index: index), into: &issues)
        }
        if let incumbent {
            let field = path.appending("incumbent")
            if !incumbent.metric.tasks.contains(task) || incumbent.metric.isFairness {
                issues.add(field.appending("metric"), "\(incumbent.metric.rawValue) cannot compare \(task.rawValue) models; use \(Gate.metrics(for: task))")
            }
            if let regression = incumbent.maxRegression, !(regression >= 0) {
                issues.add(field.appending("maxRegression"), "maxRegression must be 0 or more")
            }
        }
    }
}

extension Gate {
    func validate(task: ModelTask, at path: FieldPath, into issues: inout Issues) {
        if !metric.tasks.contains(task) {
            issues.add(path.appending("metric"), "\(metric.rawValue) is not defined for \(task.rawValue); use \(Self.metrics(for: task))")
        }
        if metric.isFairness, sensitiveFeature == nil {
            issues.add(path, "\(metric.rawValue) needs sensitiveFeature: the column whose groups are compared")
        }
        if !metric.isFairness, sensitiveFeature != nil {
            issues.add(path.appending("sensitiveFeature"), "sensitiveFeature applies only to fairness metrics", atKey: true)
        }
        if min == nil, max == nil {
            issues.add(path, "a gate needs min, max or both")
        }
        for (bound, value) in [("min", min), ("max", max)] {
            guard let value else { continue }
            if value.isNaN || !metric.range.contains(value) {
                issues.add(path.appending(bound), "\(metric.rawValue) lies in \(Self.describe(metric.range)); \(bound) \(value.manifestText) can never be met as intended")
            }
        }
        if let min, let max, min > max {
            issues.add(path.appending("max"), "max \(max.manifestText) is below min \(min.manifestText)")
        }
    }

    static func metrics(for task: ModelTask) -> String {
        MetricName.allCases.filter { $0.tasks.contains(task) }.map(\.rawValue).joined(separator: ", ")
    }

    static func describe(_ range: ClosedRange<Double>) -> String {
        let low = range.lowerBound.isInfinite ? "−∞" : range.lowerBound.manifestText
        let high = range.upperBound.isInfinite ? "∞" : range.upperBound.manifestText
        return "[\(low), \(high)]"
    }
}

extension ServingSpec {
    func validate(training: TrainingSpec, into issues: inout Issues) {
        let path: FieldPath = ["spec", "serving"]
        let effective = runtime ?? (training.trainer != nil ? .builtin : nil)
        switch effective {
        case nil:
            issues.add(path, "an external trainer needs runtime: command and a serving command, or runtime: rayServe and an importPath "
                       + "(built-in serving loads only built-in models)")
        case .builtin?:
            if training.trainer == nil {
                issues.add(path.appending("runtime"), "runtime builtin serves only built-in trainers' models; use runtime: command with an "
                           + "Open Inference Protocol v2 server, or runtime: rayServe with a Ray Serve application")
            }
            if command != nil { issues.add(path.appending("command"), "command applies only to runtime: command", atKey: true) }
            if context != nil { issues.add(path.appending("context"), "context applies only to runtime: command", atKey: true) }
            if env != nil { issues.add(path.appending("env"), "env applies only to runtime: command or rayServe", atKey: true) }
        case .command?:
            if command?.first?.isEmpty ?? true {
                issues.add(path.appending(command == nil ? "runtime" : "command"), "runtime command needs command: the server's program and arguments, like [python3, serving/server.py]")
            }
            if let context { issues.checkConfined(context, at: path.appending("context")) }
        case .rayServe?:
            if let importPath {
                if !Self.isImportPath(importPath) {
                    issues.add(path.appending("importPath"), "importPath \"\(importPath)\" must be MODULE:ATTRIBUTE: a dotted Python module of the watched "
                               + "root and the name of its application or deployment, like serving.app:app")
                }
            } else {
                issues.add(path.appending("runtime"), "runtime rayServe needs importPath: the Ray Serve application as MODULE:ATTRIBUTE, like serving.app:app")
            }
            if command != nil { issues.add(path.appending("command"), "command does not apply to runtime: rayServe, which runs importPath instead", atKey: true) }
            if context != nil { issues.add(path.appending("context"), "context does not apply to runtime: rayServe, which runs importPath instead", atKey: true) }
        }
        if importPath != nil, effective != .rayServe {
            issues.add(path.appending("importPath"), "importPath applies only to runtime: rayServe", atKey: true)
        }
        let variables = effective == .rayServe ? Self.rayServeSubstitutableVariables : Self.substitutableVariables
        for (name, value) in (env ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = path.appending("env").appending(name)
            if name.hasPrefix("SEXTANT_") || name == "PATH" || name == "HOME" {
                issues.add(field, "\(name) is set by Sextant and cannot be overridden", atKey: true)
            } else if !Self.isEnvironmentName(name) {
                issues.add(field, "\"\(name)\" is not a valid environment variable name", atKey: true)
            }
            for reference in Self.references(in: value) where !variables.contains(reference) {
                issues.add(field, "${\(reference)} is not one of \(variables.joined(separator: ", "))"
                           + (effective == .rayServe && Self.substitutableVariables.contains(reference) ? " (Ray Serve's proxy owns the ports)" : ""))
            }
        }
        if let replicas, !(1...Self.maxReplicas).contains(replicas) {
            issues.add(path.appending("replicas"), "replicas \(replicas) must be 1–\(Self.maxReplicas)")
        }
        if let autoscaling {
            if replicas != nil {
                issues.add(path.appending("autoscaling"), "replicas and autoscaling exclude each other: keep replicas for a fixed count, "
                           + "or autoscaling to scale by load", atKey: true)
            }
            autoscaling.validate(at: path.appending("autoscaling"), into: &issues)
        }
        if let slos {
            var seen = Set<String>()
            for (index, slo) in slos.enumerated() where !seen.insert(slo).inserted {
                issues.add(path.appending("slos").appending(index: index), "SLO \"\(slo)\" is listed twice")
            }
        }
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        isIdentifier(name[...])
    }

    /// The `NAME`s of `${NAME}` in a value.
    static func references(in value: String) -> [String] {
        var names: [String] = []
        var rest = Substring(value)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            names.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}

extension AutoscalingSpec {
    func validate(at path: FieldPath, into issues: inout Issues) {
        let bound = ServingSpec.maxReplicas
        if !(1...bound).contains(min) {
            issues.add(path.appending("min"), "min \(min) must be 1–\(bound)")
        }
        if !(1...bound).contains(max) {
            issues.add(path.appending("max"), "max \(max) must be 1–\(bound)")
        } else if max < min {
            issues.add(path.appending("max"), "max \(max) is below min \(min)")
        }
        if let target = targetOngoingRequests, !(target > 0 && target.isFinite) {
            issues.add(path.appending("targetOngoingRequests"), "targetOngoingRequests must be a finite number more than 0 (requests in flight per replica; Ray's default is 2)")
        }
    }
}

extension MonitoringSpec {
    func validate(into issues: inout Issues) {
        let path: FieldPath = ["spec", "monitoring"]
        if let sample = log?.sample, !(0...1).contains(sample) {
            issues.add(path.appending("log").appending("sample"), "sample must be between 0 and 1 (the share of requests logged)")
        }
        if let maxBytes = log?.maxBytes, maxBytes.bytes < 1 << 20 {
            issues.add(path.appending("log").appending("maxBytes"), "maxBytes must be at least 1Mi")
        }
        if let retention = log?.retention, retention.milliseconds < 60_000 {
            issues.add(path.appending("log").appending("retention"), "retention must be at least 1m")
        }
        if let window = online?.window, window < 1 {
            issues.add(path.appending("online").appending("window"), "window must be at least 1 row")
        }
        if let threshold = drift?.threshold, !(threshold > 0) {
            issues.add(path.appending("drift").appending("threshold"), "threshold must be more than 0")
        }
        if let window = drift?.window, window < 100 {
            issues.add(path.appending("drift").appending("window"), "window must be at least 100 rows (fewer give no drift verdict)")
        }
        if let share = drift?.driftShare, !(share > 0 && share <= 1) {
            issues.add(path.appending("drift").appending("driftShare"), "driftShare must be more than 0 and at most 1 (the share of features that must drift)")
        }
        if let interval = drift?.interval, interval.milliseconds < 1_000 {
            issues.add(path.appending("drift").appending("interval"), "interval must be at least 1s")
        }
        retrain?.validate(into: &issues, path: path.appending("retrain"))
    }
}

extension RetrainSpec {
    func validate(into issues: inout Issues, path: FieldPath) {
        let triggers = on ?? []
        if triggers.contains(.accuracy), accuracy == nil {
            issues.add(path.appending("accuracy"), "the accuracy trigger needs accuracy: {metric: auc, below: 0.9} (the online metric and its threshold)")
        }
        if triggers.contains(.schedule), schedule == nil {
            issues.add(path.appending("schedule"), "the schedule trigger needs schedule: a cron expression in UTC, like \"0 3 * * 1\"")
        }
        if let accuracy {
            let field = path.appending("accuracy")
            if accuracy.metric != .accuracy && !accuracy.metric.isOnlineMetric {
                issues.add(field.appending("metric"), "\(accuracy.metric.rawValue) is not measured on labelled rows; use accuracy or an online metric (auc, f1, rmse, …)")
            }
            switch (accuracy.below, accuracy.above) {
            case (nil, nil): issues.add(field, "say when it triggers: below: 0.9 (for auc, f1, accuracy, …) or above: 10 (for rmse, mae, logLoss)")
            case (.some, .some): issues.add(field, "give below or above, not both")
            default: break
            }
        }
        if let minRows, minRows < 1 {
            issues.add(path.appending("minRows"), "minRows must be at least 1 labelled row")
        }
        if let cooldown, cooldown.milliseconds < 60_000 {
            issues.add(path.appending("cooldown"), "cooldown must be at least 1m")
        }
    }
}
