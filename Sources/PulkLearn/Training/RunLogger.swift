/// Receives what a training run does, so tracking (issue 6) can record runs without the learning
/// core knowing any store: parameters once, metrics as they are computed.
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
