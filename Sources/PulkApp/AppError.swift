/// A failure of an application flow that no lower layer reports: a model reference that names
/// nothing, a deployment that cannot be changed that way, a request that does not fit its model.
/// Errors of the layers below (`StoreError`, `WorkspaceError`, `FrameError`, `LearnError`, …) pass
/// through unchanged; every one says what was wrong and how to fix it.
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The request cannot work as given (HTTP 400).
        case invalid
        /// It names something that does not exist (HTTP 404).
        case notFound
        /// It conflicts with the current state (HTTP 409).
        case conflict
        /// A server this process needs did not answer or failed (HTTP 502 when relayed).
        case unavailable
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func invalid(_ message: String) -> AppError { AppError(.invalid, message) }
    public static func notFound(_ message: String) -> AppError { AppError(.notFound, message) }
    public static func conflict(_ message: String) -> AppError { AppError(.conflict, message) }
}

/// Where a flow reports progress (a terminal's progress bar; nothing on a server).
public protocol ProgressSink: Sendable {
    /// `done` of `total` units of the named stage ("reading", "scoring").
    func update(_ stage: String, done: Int, total: Int)
    /// The stage is over.
    func finish(_ stage: String)
}

/// Reports nothing.
public struct NoProgress: ProgressSink {
    public init() {}
    public func update(_ stage: String, done: Int, total: Int) {}
    public func finish(_ stage: String) {}
}
