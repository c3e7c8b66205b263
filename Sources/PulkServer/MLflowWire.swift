import PulkJSON
import Foundation
import PulkStore

/// The request of an MLflow endpoint: the JSON body (POST, PATCH, DELETE) or the query string (GET).
struct WireInput {
    var json: [String: Any]
    var query: [String: [String]]
    /// Who is calling (HTTP Basic user name), for the registry's audit trail.
    var user: String = ""

    func value(_ key: String) -> Any? { json[key] ?? query[key]?.first }

    /// A string field: a JSON string (or the query string's text); absent or null is nil. Any other
    /// JSON value is refused, as MLflow's server refuses it (`{"name": 123}` is a 400, not a name).
    func string(_ key: String) throws(StoreError) -> String? {
        switch json[key] {
        case nil, is NSNull: return query[key]?.first
        case let s as String: return s
        case let other?:
            throw StoreError(.invalidParameterValue, "Invalid value \(Self.describe(other)) for parameter '\(key)' supplied: expected a string")
        }
    }

    /// An enum field: its name, or its number as proto3 JSON also allows (as text).
    func enumName(_ key: String) throws(StoreError) -> String? {
        if let n = json[key] as? Int64 { return String(n) }
        return try string(key)
    }

    /// A JSON value as messages show it.
    static func describe(_ v: Any) -> String {
        switch v {
        case let b as Bool: return b ? "true" : "false"
        case let n as NSNumber: return n.stringValue
        case is [Any]: return "[…]"
        case is [String: Any]: return "{…}"
        case let s as String: return String(decoding: JSON.encode(String(s.prefix(100))), as: UTF8.self)
        default: return "\(v)"
        }
    }

    /// A scalar as MLflow's proto3 JSON allows it: strings, and numbers or booleans for string fields.
    static func text(_ v: Any?) -> String? {
        switch v {
        case let s as String: return s
        case let i as Int64: return String(i)
        case let d as Double: return String(d)
        case let b as Bool: return b ? "true" : "false"
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    /// A string parameter, nil when absent or empty (proto3 sends empty strings for unset fields).
    func nonEmpty(_ key: String) throws(StoreError) -> String? { try string(key).flatMap { $0.isEmpty ? nil : $0 } }

    func require(_ key: String) throws(StoreError) -> String {
        guard let v = try string(key), !v.isEmpty else {
            throw StoreError(.invalidParameterValue, "Missing value for required parameter '\(key)'. See the API docs for more information about request parameters.")
        }
        return v
    }

    func int(_ key: String) throws(StoreError) -> Int64? {
        switch value(key) {
        case nil, is NSNull: return nil
        case let i as Int64: return i
        case let d as Double:
            guard let v = Int64(exactly: d) else { throw StoreError(.invalidParameterValue, "Invalid value \(d) for parameter '\(key)': expected an integer") }
            return v
        case let n as NSNumber: return n.int64Value
        case let s as String:
            guard let v = Int64(s) else { throw StoreError(.invalidParameterValue, "Invalid value '\(s)' for parameter '\(key)': expected an integer") }
            return v
        default: throw StoreError(.invalidParameterValue, "Invalid value for parameter '\(key)': expected an integer")
        }
    }

    /// The run id under either name (`run_id`, or the legacy `run_uuid`).
    func runId() throws(StoreError) -> String {
        if let v = try string("run_id"), !v.isEmpty { return v }
        if let v = try string("run_uuid"), !v.isEmpty { return v }
        return try require("run_id")  // names the field MLflow documents
    }

    func strings(_ key: String) -> [String] {
        if let a = json[key] as? [Any] { return a.compactMap(Self.text) }
        if let s = json[key] as? String { return [s] }
        return query[key] ?? []
    }

    func objects(_ key: String) throws(StoreError) -> [[String: Any]] {
        guard let v = json[key] else { return [] }
        if v is NSNull { return [] }
        guard let list = v as? [Any] else { throw StoreError(.invalidParameterValue, "Invalid value \(Self.describe(v)) for parameter '\(key)' supplied: expected a list of objects") }
        var out: [[String: Any]] = []
        out.reserveCapacity(list.count)
        for item in list {
            guard let o = item as? [String: Any] else { throw StoreError(.invalidParameterValue, "Invalid value for parameter '\(key)': expected a list of objects") }
            out.append(o)
        }
        return out
    }

    static func metricValue(_ v: Any?, key: String) throws(StoreError) -> Double {
        switch v {
        case let d as Double: return d
        case let i as Int64: return Double(i)
        case let n as NSNumber: return n.doubleValue
        case let s as String: return try metricValue(text: s, key: key)
        default: throw StoreError(.invalidParameterValue, "Missing value for required parameter 'value' of metric '\(key)'")
        }
    }

    /// A metric value sent as text: a number, or NaN and the infinities as MLflow writes them.
    static func metricValue(text s: String, key: String) throws(StoreError) -> Double {
        switch s {
        case "NaN", "nan": return .nan
        case "Infinity", "inf": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default:
            guard let d = Double(s) else { throw StoreError(.invalidParameterValue, "Invalid value '\(s)' for metric '\(key)': expected a number") }
            return d
        }
    }

    static func int64(_ v: Any?) -> Int64? {
        switch v {
        case let i as Int64: return i
        case let d as Double: return Int64(exactly: d)
        case let n as NSNumber: return n.int64Value
        case let s as String: return Int64(s)
        default: return nil
        }
    }

    static func tags(_ list: [[String: Any]]) throws(StoreError) -> [Tag] {
        try list.map { (t) throws(StoreError) -> Tag in
            guard let k = t["key"] as? String else { throw StoreError(.invalidParameterValue, "Missing value for required parameter 'key' of a tag") }
            return Tag(k, text(t["value"]) ?? "")
        }
    }
}

/// MLflow's JSON shapes of the tracking entities.
enum Wire {
    static func number(_ d: Double) -> Any {
        if d.isNaN { return "NaN" }
        if d == .infinity { return "Infinity" }
        if d == -.infinity { return "-Infinity" }
        return d
    }

    static func tags(_ t: [Tag]) -> [[String: Any]] { t.map { ["key": $0.key, "value": $0.value] } }

    static func experiment(_ e: Experiment) -> [String: Any] {
        ["experiment_id": e.experimentId, "name": e.name, "artifact_location": e.artifactLocation,
         "lifecycle_stage": e.lifecycleStage.rawValue, "creation_time": e.creationTime, "last_update_time": e.lastUpdateTime,
         "tags": tags(e.tags)]
    }

    static func metric(_ m: Metric) -> [String: Any] {
        ["key": m.key, "value": number(m.value), "timestamp": m.timestamp, "step": m.step]
    }

    /// A run's info (the shape `JSON.ObjectWriter.runInfo` writes, also inside whole runs).
    static func runInfo(_ i: RunInfo) -> JSON.Raw {
        var w = JSON.ObjectWriter()
        w.runInfo(i)
        return JSON.Raw(bytes: w.finish())
    }

    /// One page of a search: the items under `key`, and the next page's token when there is one.
    static func page<T>(_ key: String, _ items: [T], _ token: String?) -> [String: Any] {
        var out: [String: Any] = [key: items]
        if let token { out["next_page_token"] = token }
        return out
    }

    /// A run as MLflow's JSON, written straight to bytes (search pages return thousands of runs).
    /// Keys are in sorted order, as `JSON.encode` writes objects.
    static func run(_ r: Run) -> JSON.Raw {
        var w = JSON.ObjectWriter()
        w.object("data") { d in
            d.array("metrics", r.metrics) { m, w in w.metric(m) }
            d.array("params", r.params) { p, w in w.pair(p.key, p.value) }
            d.array("tags", r.tags) { t, w in w.pair(t.key, t.value) }
        }
        w.object("info") { i in i.runInfo(r.info) }
        w.object("inputs") { i in
            i.array("dataset_inputs", r.io.datasetInputs) { d, w in w.raw(JSON.encode(datasetInput(d))) }
            i.array("model_inputs", r.io.modelInputs) { m, w in w.object { o in o.string("model_id", m) } }
        }
        w.object("outputs") { o in
            o.array("model_outputs", r.io.modelOutputs) { m, w in w.object { x in x.string("model_id", m.modelId); x.int("step", m.step) } }
        }
        return JSON.Raw(bytes: w.finish())
    }

    static func encode(_ object: Any) -> [UInt8] {
        JSON.encode(object)
    }
}
