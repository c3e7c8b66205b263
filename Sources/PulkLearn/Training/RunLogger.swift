/// Receives what a training run does as it happens: parameters once, metrics as they are computed,
/// for callers that want them live. Tracked runs (`pulk train`) are recorded after the fact from the
/// `TrainingReport` and the held-out outcomes by PulkTracking, which also has what this hook never
/// sees (cross-validation folds, plots, artifacts); the learning core knows no store either way.
public protocol RunLogger: Sendable {
    func logParameter(_ name: String, _ value: String)
    func logMetric(_ name: String, _ value: Double, step: Int)
}

/// Discards everything (the default).
public struct NoRunLogger: RunLogger {
    public init() {}
    public func logParameter(_ name: String, _ value: String) {}
    public func logMetric(_ name: String, _ value: Double, step: Int) {}
}
