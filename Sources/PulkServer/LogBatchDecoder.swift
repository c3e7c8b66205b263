import Foundation
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
                case "metrics": try p.listField("metrics") { p throws(JSON.SyntaxError) in body.metrics.append(try metric(&p)) }
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

    static func metric(_ p: inout JSON.Parser) throws(JSON.SyntaxError) -> Metric {
        var key: String?, value: JSON.Scalar = .null, timestamp: Int64 = 0, step: Int64 = 0
        var modelId: String?, datasetName: String?, datasetDigest: String?
        // Field names compared as bytes: a batch has thousands of them.
        try p.rawObject { p, field throws(JSON.SyntaxError) in
            if JSON.same(field, "key") { key = try p.scalar().text }
            else if JSON.same(field, "value") { value = try p.scalar() }
            else if JSON.same(field, "timestamp") { timestamp = try p.integer(p.scalar(), "timestamp") }
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
        return Metric(key, v, timestamp: timestamp, step: step, modelId: modelId, datasetName: datasetName, datasetDigest: datasetDigest)
    }

    static func pair(_ p: inout JSON.Parser) throws(JSON.SyntaxError) -> (String, String) {
        var key: String?, value = ""
        try p.object { p, field throws(JSON.SyntaxError) in
            switch field {
            case "key": key = try p.scalar().text
            case "value": value = try p.scalar().text ?? ""
            default: _ = try p.value(depth: 1)
            }
        }
        guard let key else { throw p.reject("Missing value for required parameter 'key' of a param or tag") }
        return (key, value)
    }
}

extension JSON {
    /// A JSON value that is not an object or array.
    enum Scalar {
        case null, bool(Bool), int(Int64), double(Double), string(String)

        var text: String? {
            switch self {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            case .null: return nil
            }
        }

        var int: Int64? {
            switch self {
            case .int(let i): return i
            case .double(let d): return Int64(exactly: d)
            case .string(let s): return Int64(s)
            default: return nil
            }
        }
    }
}

extension JSON.Parser {
    /// An int64 field (a JSON integer, or its decimal text as proto3 JSON allows); absent or null is
    /// 0. A fraction, a number out of Int64's range, or other text is refused, never stored as 0.
    func integer(_ value: JSON.Scalar, _ name: String) throws(JSON.SyntaxError) -> Int64 {
        switch value {
        case .null: return 0
        case .int(let i): return i
        case .double(let d):
            guard let i = Int64(exactly: d) else { throw reject("Invalid value \(d) for parameter '\(name)' supplied: it must be an integer within int64's range") }
            return i
        case .string(let s):
            guard let i = Int64(s) else { throw reject("Invalid value '\(s.prefix(40))' for parameter '\(name)' supplied: it must be an integer within int64's range") }
            return i
        case .bool: throw reject("Invalid value for parameter '\(name)' supplied: it must be an integer, not a boolean")
        }
    }

    /// A protocol error found while decoding (offset -1: reported as INVALID_PARAMETER_VALUE, not as bad JSON).
    func reject(_ message: String) -> JSON.SyntaxError { JSON.SyntaxError(offset: -1, why: message) }

    /// A string field: a JSON string, or nil for null; a number, boolean or container is refused as
    /// MLflow refuses it (INVALID_PARAMETER_VALUE, not a lookup of run "123").
    mutating func stringField(_ name: String) throws(JSON.SyntaxError) -> String? {
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "{") {
            throw reject("Invalid value for parameter '\(name)' supplied: expected a string, not a \(bytes[i] == UInt8(ascii: "[") ? "list" : "object")")
        }
        switch try scalar() {
        case .string(let s): return s
        case .null: return nil
        case let other: throw reject("Invalid value \(other.text ?? "") for parameter '\(name)' supplied: expected a string")
        }
    }

    /// A list field: a JSON list (or null); anything else is refused with the field's name.
    mutating func listField(_ name: String, _ element: (inout JSON.Parser) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "n") else {
            throw reject("Invalid value for parameter '\(name)' supplied: expected a list")
        }
        try array(element)
    }

    mutating func scalar() throws(JSON.SyntaxError) -> JSON.Scalar {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"), UInt8(ascii: "["): _ = try value(depth: 1); return .null
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try numberScalar()
        }
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

extension JSON {
    /// Whether a raw field name is this literal.
    @inline(__always)
    static func same(_ field: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        field.count == literal.utf8CodeUnitCount && memcmp(field.baseAddress!, literal.utf8Start, field.count) == 0
    }
}

extension JSON.Parser {
    /// Like `object`, with each key as its raw bytes (keys with escapes are decoded first).
    mutating func rawObject(_ field: (inout JSON.Parser, UnsafeBufferPointer<UInt8>) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail("expected an object") }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            var end = i + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            guard end < bytes.count else { throw fail("unterminated string") }
            var escaped: [UInt8]?
            let keyStart = i + 1, keyEnd = end
            if bytes[end] == UInt8(ascii: "\"") { i = end + 1 } else { escaped = Array(try string().utf8) }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            if let escaped {
                let r: Result<Void, JSON.SyntaxError> = escaped.withUnsafeBufferPointer { k in Result { () throws(JSON.SyntaxError) in try field(&self, k) } }
                try r.get()
            } else {
                try field(&self, UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }
}
