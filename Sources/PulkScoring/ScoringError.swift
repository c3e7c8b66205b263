/// Why a scoring request was refused: the body could not be read, or its rows do not fit the
/// model's schema (one problem per column or value, so a client fixes everything in one go).
public struct ScoringError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The body is not one of the accepted shapes (or not JSON/CSV at all).
        case body = "BAD_REQUEST"
        /// The rows do not match the model's schema.
        case schema = "INVALID_INPUT"
        /// More rows than the endpoint accepts in one request.
        case tooManyRows = "TOO_MANY_ROWS"
    }

    /// One thing wrong with the input.
    public struct Problem: Sendable, Equatable, Codable {
        /// The column it concerns, if any.
        public var column: String?
        /// The first row it concerns (0-based), if any.
        public var row: Int?
        public var message: String

        public init(column: String? = nil, row: Int? = nil, message: String) {
            self.column = column
            self.row = row
            self.message = message
        }
    }

    public var kind: Kind
    public var problems: [Problem]

    public init(kind: Kind, problems: [Problem]) {
        self.kind = kind
        self.problems = problems
    }

    static func body(_ message: String) -> ScoringError { ScoringError(kind: .body, problems: [Problem(message: message)]) }

    public var description: String {
        problems.count == 1 ? problems[0].message : "\(problems.count) problems: " + problems.map(\.message).joined(separator: "; ")
    }
}

/// How strictly an endpoint checks inputs.
public struct ScoringPolicy: Sendable, Equatable, Codable {
    /// What to do with a category the model never saw in training.
    public enum UnseenCategories: String, Sendable, Equatable, Codable, CaseIterable {
        /// Score it as the model treats unknown values (the encoder's unknown slot, the tree's other branch).
        case allow
        /// Refuse the request with a problem naming the value and the known categories.
        case reject
    }

    public var unseenCategories: UnseenCategories
    /// The most rows one request may carry.
    public var maxRows: Int

    public init(unseenCategories: UnseenCategories = .allow, maxRows: Int = 10_000) {
        self.unseenCategories = unseenCategories
        self.maxRows = maxRows
    }
}
