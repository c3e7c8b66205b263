import Foundation

/// How AutoML may vary one hyperparameter, declared beside the estimator's parameter table: a
/// range (on a log scale or not) or a set of choices, and the value the search starts from, the
/// cheapest to train (few and small trees, strong regularisation), as FLAML's low-cost initial
/// values. A dimension may apply only when another parameter has one of some values.
public struct SearchDimension: Sendable, Hashable {
    public enum Range: Sendable, Hashable {
        case int(ClosedRange<Int>, log: Bool)
        case double(ClosedRange<Double>, log: Bool)
        case choice([String])
    }

    public var name: String
    public var range: Range
    /// The starting value, as text (a value of `range`).
    public var start: String
    /// Only searched when the parameter `condition.name` is one of `condition.values`.
    public var condition: Condition?

    public struct Condition: Sendable, Hashable {
        public var name: String
        public var values: [String]
    }

    public static func int(_ name: String, _ range: ClosedRange<Int>, log: Bool = false, start: Int) -> SearchDimension {
        SearchDimension(name: name, range: .int(range, log: log), start: String(start))
    }

    public static func double(_ name: String, _ range: ClosedRange<Double>, log: Bool = false, start: Double) -> SearchDimension {
        SearchDimension(name: name, range: .double(range, log: log), start: "\(start)")
    }

    public static func choice(_ name: String, _ options: [String], start: String) -> SearchDimension {
        SearchDimension(name: name, range: .choice(options), start: start)
    }

    /// The same dimension, searched only when `parameter` is one of `values`.
    public func when(_ parameter: String, in values: [String]) -> SearchDimension {
        var d = self
        d.condition = Condition(name: parameter, values: values)
        return d
    }

    /// The value at `u` in [0, 1] of the dimension (log scales map evenly in the logarithm).
    public func value(at u: Double) -> String {
        let u = min(max(u, 0), 1)
        switch range {
        case .int(let r, let log):
            let lo = Double(r.lowerBound), hi = Double(r.upperBound)
            let x = log ? exp(Foundation.log(lo) + u * (Foundation.log(hi) - Foundation.log(lo))) : lo + u * (hi - lo)
            return String(min(max(Int(x.rounded()), r.lowerBound), r.upperBound))
        case .double(let r, let log):
            let x = log ? exp(Foundation.log(r.lowerBound) + u * (Foundation.log(r.upperBound) - Foundation.log(r.lowerBound)))
                : r.lowerBound + u * (r.upperBound - r.lowerBound)
            // Six significant digits: a readable value, and the same one for points that close.
            let rounded = Double(String(format: "%.6g", x)) ?? x
            return "\(min(max(rounded, r.lowerBound), r.upperBound))"
        case .choice(let options):
            return options[min(Int(u * Double(options.count)), options.count - 1)]
        }
    }

    /// Where `text` sits in [0, 1] (the inverse of `value(at:)`; a choice at the middle of its share).
    public func position(of text: String) -> Double {
        switch range {
        case .int(let r, let log):
            let x = Double(Int(text) ?? r.lowerBound), lo = Double(r.lowerBound), hi = Double(r.upperBound)
            guard hi > lo else { return 0 }
            return log ? (Foundation.log(x) - Foundation.log(lo)) / (Foundation.log(hi) - Foundation.log(lo)) : (x - lo) / (hi - lo)
        case .double(let r, let log):
            let x = Double(text) ?? r.lowerBound
            guard r.upperBound > r.lowerBound else { return 0 }
            return log ? (Foundation.log(x) - Foundation.log(r.lowerBound)) / (Foundation.log(r.upperBound) - Foundation.log(r.lowerBound))
                : (x - r.lowerBound) / (r.upperBound - r.lowerBound)
        case .choice(let options):
            let i = options.firstIndex(of: text) ?? 0
            return (Double(i) + 0.5) / Double(options.count)
        }
    }
}
