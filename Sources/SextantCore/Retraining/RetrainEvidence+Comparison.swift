import SextantAPI

extension RetrainEvidence {
    /// The metric that decides a retraining: the first gate's, else `auc` for a classifier
    /// and `rmse` for a regression.
    static func primaryMetric(of model: DesiredModel) -> MetricName {
        if let gate = model.model.spec.evaluation?.gates?.first(where: { $0.sensitiveFeature == nil }) { return gate.metric }
        return model.model.spec.task.isClassification ? .auc : .rmse
    }

    /// The evidence of a judged candidate: the primary metric first, then the task's usual
    /// metrics and the gates'. On the holdout the serving revision has a value only for the
    /// incumbent rule's metric (it answered the same rows); on the recency holdout, for all.
    static func compare(model: DesiredModel, reasons: [RetrainReason], data: DataEvidence, candidate: Side, serving: Side,
                        evaluation: Evaluation, recency: RecencyComparison) -> RetrainEvidence {
        let primary = primaryMetric(of: model)
        let usual: [MetricName] = model.model.spec.task.isClassification ? [.auc, .f1, .accuracy] : [.rmse, .mae, .r2]
        let gated = (model.model.spec.evaluation?.gates ?? []).filter { $0.sensitiveFeature == nil }.map(\.metric)
        var names: [String] = []
        for metric in [primary] + usual + gated where !names.contains(metric.rawValue) { names.append(metric.rawValue) }
        let rows = names.map { name in
            MetricComparison(
                metric: name, lowerIsBetter: MetricName(rawValue: name)?.lowerIsBetter ?? false,
                holdout: Pair(candidate: evaluation.metrics[name], serving: evaluation.incumbent.flatMap { $0.metric == name ? $0.value : nil }),
                recency: Pair(candidate: recency.candidate[name], serving: recency.serving[name]))
        }
        return RetrainEvidence(model: model.name, reasons: reasons, data: data, candidate: candidate, serving: serving, primaryMetric: primary.rawValue,
                               metrics: rows, gates: evaluation.gates, card: CardSummary(evaluation: evaluation, privacy: model.classifiedFeatures))
    }
}
