public import PulkLearn
import PulkFrame

/// Writes scoring responses as JSON bytes, straight from the predictions.
public enum ScoringOutput {
    /// Who answered a request, written beside the predictions.
    public struct Origin: Sendable, Equatable {
        public var endpoint: String?
        public var deployment: String?
        public var model: String?
        public var version: String?
        public var requestId: String

        public init(endpoint: String? = nil, deployment: String? = nil, model: String? = nil, version: String? = nil, requestId: String) {
            self.endpoint = endpoint
            self.deployment = deployment
            self.model = model
            self.version = version
            self.requestId = requestId
        }
    }

    /// Pulk's response: `predictions` (numbers, class labels or cluster ids), for classifiers `classes`
    /// and one `probabilities` row per input row, for clusterings each row's `distances` to its
    /// cluster's center (and for mixtures its `memberships`, a probability per cluster), for anomaly models each row's `scores` (1 in `predictions`: flagged) and
    /// the features that made each flagged row unusual (`reasons`, empty for the others), for
    /// recommenders each row's user's items best first (`predictions`), their `scores` and whether
    /// the user was known (`known_users`; an unknown user gets the most popular items), then who answered.
    public static func pulk(_ predictions: Predictions, origin: Origin) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"predictions\":")
        values(predictions, &w)
        if case .classification(let classes, _, let probabilities) = predictions {
            w.raw(",\"classes\":[")
            for (k, c) in classes.enumerated() {
                if k > 0 { w.raw(",") }
                w.label(c)
            }
            w.raw("],\"probabilities\":[")
            for (r, row) in probabilities.enumerated() {
                if r > 0 { w.raw(",") }
                numbers(row, &w)
            }
            w.raw("]")
        }
        if case .clustering(_, let distances, let memberships) = predictions {
            w.raw(",\"distances\":")
            numbers(distances, &w)
            if let memberships {
                w.raw(",\"memberships\":[")
                for (r, row) in memberships.enumerated() {
                    if r > 0 { w.raw(",") }
                    numbers(row, &w)
                }
                w.raw("]")
            }
        }
        if case .anomaly(let scores, _, let reasons) = predictions {
            w.raw(",\"scores\":")
            numbers(scores, &w)
            w.raw(",\"reasons\":[")
            for (k, row) in reasons.enumerated() {
                w.raw(k == 0 ? "[" : ",[")
                for (m, r) in row.enumerated() {
                    w.raw(m == 0 ? "{\"feature\":" : ",{\"feature\":")
                    w.string(r.feature)
                    w.raw(",\"value\":")
                    w.number(r.value)
                    w.raw(",\"typical\":")
                    w.number(r.typical)
                    w.raw(",\"z\":")
                    w.number(r.z)
                    w.raw("}")
                }
                w.raw("]")
            }
            w.raw("]")
        }
        if case .recommendation(let lists) = predictions {
            w.raw(",\"scores\":[")
            for (k, r) in lists.enumerated() {
                if k > 0 { w.raw(",") }
                numbers(r.scores, &w)
            }
            w.raw("],\"known_users\":[")
            for (k, r) in lists.enumerated() { w.raw(k == 0 ? (r.known ? "true" : "false") : (r.known ? ",true" : ",false")) }
            w.raw("]")
        }
        for (key, value) in [("endpoint", origin.endpoint), ("deployment", origin.deployment), ("model", origin.model), ("version", origin.version)] {
            guard let value else { continue }
            w.raw(",\"\(key)\":")
            w.string(value)
        }
        w.raw(",\"request_id\":")
        w.string(origin.requestId)
        w.raw("}")
        return w.bytes
    }

    /// MLflow's `/invocations` response: `{"predictions": [...]}` (class labels for classifiers, and
    /// −1 for an anomaly, 1 otherwise, as an MLflow scikit-learn model answers).
    public static func mlflow(_ predictions: Predictions) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"predictions\":")
        if case .anomaly(_, let flagged, _) = predictions {
            w.raw("[" + flagged.map { $0 ? "-1" : "1" }.joined(separator: ",") + "]}")
            return w.bytes
        }
        values(predictions, &w)
        w.raw("}")
        return w.bytes
    }

    /// `[x, y, …]`.
    static func numbers(_ values: [Double], _ w: inout JSONWriter) {
        w.raw("[")
        for (k, x) in values.enumerated() {
            if k > 0 { w.raw(",") }
            w.number(x)
        }
        w.raw("]")
    }

    static func values(_ predictions: Predictions, _ w: inout JSONWriter) {
        w.raw("[")
        switch predictions {
        case .regression(let v):
            // The array's brackets are written around every case below.
            for (k, x) in v.enumerated() {
                if k > 0 { w.raw(",") }
                w.number(x)
            }
        case .classification(let classes, let predicted, _):
            // Each label's JSON once, back to back (label c ends at ends[c]), then copied per row
            // from one buffer: an array per label cost a retain and a release per row, ~1% of a
            // 100-row request's server CPU.
            var labels = JSONWriter(capacity: 16 * classes.count)
            var ends: [Int] = []
            for c in classes {
                labels.label(c)
                ends.append(labels.bytes.count)
            }
            labels.bytes.withUnsafeBufferPointer { all in
                for (k, p) in predicted.enumerated() {
                    if k > 0 { w.bytes.append(UInt8(ascii: ",")) }
                    w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[(p == 0 ? 0 : ends[p - 1])..<ends[p]]))
                }
            }
        case .clustering(let clusters, _, _):
            for (k, c) in clusters.enumerated() {
                if k > 0 { w.raw(",") }
                w.raw(String(c))
            }
        case .anomaly(_, let flagged, _):
            for (k, f) in flagged.enumerated() { w.raw(k == 0 ? (f ? "1" : "0") : (f ? ",1" : ",0")) }
        case .recommendation(let lists):
            for (k, r) in lists.enumerated() {
                w.raw(k == 0 ? "[" : ",[")
                for (m, item) in r.items.enumerated() {
                    if m > 0 { w.raw(",") }
                    w.label(item)
                }
                w.raw("]")
            }
        }
        w.raw("]")
    }

    /// A refused request's body: `{"error_code", "message", "problems": [{column, row, message}]}`
    /// (MLflow's error fields, with each problem listed).
    public static func error(_ e: ScoringError) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"error_code\":")
        w.string(e.kind.rawValue)
        w.raw(",\"message\":")
        w.string(e.description)
        w.raw(",\"problems\":[")
        for (k, p) in e.problems.enumerated() {
            w.raw(k == 0 ? "{" : ",{")
            if let c = p.column { w.raw("\"column\":"); w.string(c); w.raw(",") }
            if let r = p.row { w.raw("\"row\":\(r),") }
            w.raw("\"message\":")
            w.string(p.message)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }

    /// `{"error_code": CODE, "message": MESSAGE}`.
    public static func error(code: String, message: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"error_code\":")
        w.string(code)
        w.raw(",\"message\":")
        w.string(message)
        w.raw("}")
        return w.bytes
    }
}

/// A minimal JSON writer for the response shapes above.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A finite number in its shortest exact form (as the CSV writer writes it); NaN and infinities as null.
    public mutating func number(_ x: Double) {
        guard x.isFinite else { raw("null"); return }
        bytes.append(contentsOf: formatDouble(x).utf8)
    }

    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A class label: as a number when it reads as one (classes 0/1 come back as numbers, as
    /// scikit-learn returns them), else as text.
    public mutating func label(_ s: String) {
        if Self.isNumberLiteral(s) { raw(s) } else { string(s) }
    }

    static func isNumberLiteral(_ s: String) -> Bool {
        var u = Array(s.utf8)[...]
        guard !u.isEmpty else { return false }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        let digits = u.prefix { $0 >= 48 && $0 <= 57 }
        guard !digits.isEmpty, !(digits.count > 1 && digits.first == 48) else { return false }
        u = u.dropFirst(digits.count)
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            let fraction = u.prefix { $0 >= 48 && $0 <= 57 }
            guard !fraction.isEmpty else { return false }
            u = u.dropFirst(fraction.count)
        }
        return u.isEmpty
    }
}
