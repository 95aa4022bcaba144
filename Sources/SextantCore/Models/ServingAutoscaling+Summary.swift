extension ServingAutoscaling {
    /// How events and `plan` name the scale: `1–4 replicas by load (2 requests in flight each)`.
    package var summary: String {
        "\(minReplicas)–\(maxReplicas) replicas by load (\(formatMetric(targetOngoingRequests)) requests in flight each)"
    }
}
