import Foundation
import PulkJSON
import PulkStore

/// The body of `runs/log-batch` (and `runs/log-metric`) decoded straight from its bytes into
/// metrics, params and tags: the busiest request a tracking server gets, without boxing every field
/// in `Any` (casting a thousand `[String: Any]` objects cost more than the database insert).
struct LogBatchBody {
    var runId: String?
    var metrics: [Metric] = []
    var params: [Param] = []
    var tags: [Tag] = []

    /// The run the body names, else the one the query string names (`run_id`, or the legacy `run_uuid`).
    func runId(or query: WireInput) throws(StoreError) -> String {
        if let runId, !runId.isEmpty { return runId }
        return try query.runId()
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(StoreError) -> LogBatchBody {
        var p = JSON.Parser(bytes: bytes.bindMemory(to: UInt8.self))
        do throws(JSON.SyntaxError) {
            var body = LogBatchBody()
            p.skipSpace()
            if p.i == p.bytes.count { return body }
            try p.object { p, key throws(JSON.SyntaxError) in
                switch key {
                case "run_id": body.runId = try p.stringField("run_id") ?? body.runId
                case "run_uuid": if body.runId == nil || body.runId!.isEmpty { body.runId = try p.stringField("run_uuid") } else { _ = try p.value(depth: 1) }
                case "metrics": try p.listField("metrics") { p throws(JSON.SyntaxError) in body.metrics.append(try metric(&p, "metrics[\(body.metrics.count)].")) }
                case "params": try p.listField("params") { p throws(JSON.SyntaxError) in let (k, v) = try pair(&p); body.params.append(Param(k, v)) }
                case "tags": try p.listField("tags") { p throws(JSON.SyntaxError) in let (k, v) = try pair(&p); body.tags.append(Tag(k, v)) }
                default: _ = try p.value(depth: 1)
                }
            }
            p.skipSpace()
            guard p.i == p.bytes.count else { throw p.fail("text after the value") }
            return body
        } catch {
            if error.offset < 0 { throw StoreError(.invalidParameterValue, error.why) }
            throw StoreError(.badRequest, "The request body is not valid JSON (\(error)).")
        }
    }

    /// One metric; `field` prefixes the names in messages (`metrics[3].`; empty for log-metric).
    static func metric(_ p: inout JSON.Parser, _ field: String = "") throws(JSON.SyntaxError) -> Metric {
        var key: String?, value: JSON.Scalar = .null, timestamp: Int64?, step: Int64 = 0
        var modelId: String?, datasetName: String?, datasetDigest: String?
        // Field names compared as bytes: a batch has thousands of them.
        try p.rawObject { p, field throws(JSON.SyntaxError) in
            if JSON.same(field, "key") { key = try p.text(p.scalar(), "key") }
            else if JSON.same(field, "value") { value = try p.scalar() }
            else if JSON.same(field, "timestamp") { let t = try p.scalar(); if case .null = t {} else { timestamp = try p.integer(t, "timestamp") } }
            else if JSON.same(field, "step") { step = try p.integer(p.scalar(), "step") }
            else if JSON.same(field, "model_id") { modelId = try p.scalar().text }
            else if JSON.same(field, "dataset_name") { datasetName = try p.scalar().text }
            else if JSON.same(field, "dataset_digest") { datasetDigest = try p.scalar().text }
            else { _ = try p.value(depth: 1) }
        }
        guard let key else { throw p.reject("Missing value for required parameter 'key' of a metric") }
        let v: Double
        switch value {
        case .double(let d): v = d
        case .int(let i): v = Double(i)
        case .string(let s):
            do { v = try WireInput.metricValue(text: s, key: key) } catch { throw p.reject(error.message) }
        default: throw p.reject("Missing value for required parameter 'value' of metric '\(key)'")
        }
        // Required, as MLflow requires it: a point without a time cannot be ordered in its history.
        guard let timestamp else { throw p.reject("Missing value for required parameter '\(field)timestamp'") }
        return Metric(key, v, timestamp: timestamp, step: step, modelId: modelId, datasetName: datasetName, datasetDigest: datasetDigest)
    }

    static func pair(_ p: inout JSON.Parser) throws(JSON.SyntaxError) -> (String, String) {
        var key: String?, value = ""
        try p.object { p, field throws(JSON.SyntaxError) in
            switch field {
            case "key": key = try p.text(p.scalar(), "key")
            case "value": value = try p.scalar().text ?? ""
            default: _ = try p.value(depth: 1)
            }
        }
        guard let key else { throw p.reject("Missing value for required parameter 'key' of a param or tag") }
        return (key, value)
    }
}



extension LogBatchBody {
    /// The body of `runs/log-metric`: one metric's fields and the run id at the top level.
    static func decodeMetric(_ bytes: UnsafeRawBufferPointer) throws(StoreError) -> LogBatchBody {
        var p = JSON.Parser(bytes: bytes.bindMemory(to: UInt8.self))
        var body = LogBatchBody()
        var runUUID: String?
        do throws(JSON.SyntaxError) {
            p.skipSpace()
            guard p.i < p.bytes.count else { throw p.reject("Missing value for required parameter 'key'. See the API docs for more information about request parameters.") }
            let start = p.i
            try p.object { p, key throws(JSON.SyntaxError) in
                switch key {
                case "run_id": body.runId = try p.stringField("run_id")
                case "run_uuid": runUUID = try p.stringField("run_uuid")
                default: _ = try p.value(depth: 1)
                }
            }
            p.skipSpace()
            guard p.i == p.bytes.count else { throw p.fail("text after the value") }
            // Second pass over the same object for the metric's own fields.
            p.i = start
            do throws(JSON.SyntaxError) {
                body.metrics = [try metric(&p)]
            } catch where error.offset < 0 && error.why.hasPrefix("Missing value for required parameter 'key'") {
                throw p.reject("Missing value for required parameter 'key'. See the API docs for more information about request parameters.")
            }
        } catch {
            if error.offset < 0 { throw StoreError(.invalidParameterValue, error.why) }
            throw StoreError(.badRequest, "The request body is not valid JSON (\(error)).")
        }
        if body.runId?.isEmpty ?? true { body.runId = runUUID }
        return body
    }
}

extension JSON.ObjectWriter {
    mutating func runInfo(_ i: RunInfo) {
        string("artifact_uri", i.artifactUri)
        if let e = i.endTime { int("end_time", e) }
        string("experiment_id", i.experimentId)
        string("lifecycle_stage", i.lifecycleStage.rawValue)
        string("run_id", i.runId)
        string("run_name", i.runName)
        string("run_uuid", i.runId)
        int("start_time", i.startTime)
        string("status", i.status.rawValue)
        string("user_id", i.userId)
    }
}

extension JSON.ElementWriter {
    mutating func metric(_ m: Metric) {
        object { o in o.string("key", m.key); o.int("step", m.step); o.int("timestamp", m.timestamp); o.number("value", m.value) }
    }
}
