import Foundation
import PulkFrame
import PulkLearn
import PulkMonitoring
import PulkEndpoints
import PulkScoring
import PulkTracking

/// An endpoint's serving window read page by page (never whole): each page's answered request
/// bodies are read as their model version reads them (its input schema), on every core, and only
/// the frames, the traffic figures and the entries a caller asked to keep (their bodies dropped)
/// stay in memory. A window of a million logged requests is a frame, not a million strings.
struct ServingWindowReader {
    let window: DriftFlow.ServingWindow
    /// The model version whose requests are compared (NAME:VERSION); nil: the one that answered most.
    let modelLabel: String?
    let tracking: @Sendable () async throws -> any TrackingClient
    /// Entries per page.
    let pageSize: Int

    struct Result {
        /// The compared model version, its model, and its requests' rows (nil: no answered request).
        var label: String?
        var model: (any Model)?
        var frame: Frame
        var requestsRead: Int
        var traffic: ServingTraffic
        var warnings: [String]
        /// The answered entries whose request id was asked for, with their input dropped.
        var kept: [ServingLogEntry]
        /// The rows every answered request scored.
        var answeredRows: Int
    }

    /// One model version's share of the window: its requests' frames, page by page.
    struct Version {
        var model: (any Model)?
        var schema: InputSchema?
        var frames: [Frame] = []
        var requests = 0
        var read = 0
        var unreadable = 0
        var failure: String?
    }

    func read(from service: any EndpointService) async throws -> Result {
        var versions: [String: Version] = [:]
        var latencies: [Int64] = []
        var requests = 0, answered = 0, refused = 0, errors = 0, answeredRows = 0
        var kept: [ServingLogEntry] = []
        let from = window.since ?? 0, to = window.until ?? Int64.max
        let endpoint = window.endpoint, pageSize = pageSize
        func fetch(after: ServingLogPosition?) -> _Concurrency.Task<[ServingLogEntry], any Error> {
            _Concurrency.Task { try await service.servingLog(endpoint: endpoint, from: from, to: to, after: after, limit: pageSize) }
        }
        // The next page is read while this one is parsed.
        var next: _Concurrency.Task<[ServingLogEntry], any Error>? = fetch(after: nil)
        while let pending = next {
            let page = try await pending.value
            next = page.count == pageSize ? fetch(after: ServingLogPosition(page[page.count - 1])) : nil
            var byVersion: [String: [Int]] = [:]
            for (i, e) in page.enumerated() where !e.shadow {
                requests += 1
                latencies.append(e.latencyMicros)
                switch e.status {
                case 200:
                    answered += 1
                    answeredRows += e.rows
                    byVersion["\(e.model):\(e.version)", default: []].append(i)
                    if window.keep.contains(e.requestId) {
                        var light = e
                        light.input = ""
                        kept.append(light)
                    }
                case 400..<500: refused += 1
                case 500...: errors += 1
                default: break
                }
            }
            for (label, rows) in byVersion {
                var v = versions[label] ?? Version()
                v.requests += rows.count
                if modelLabel == nil || modelLabel == label {
                    if v.schema == nil && v.failure == nil {
                        do {
                            let model = try await ModelReference(parsing: label).resolve(try await tracking()).model
                            v.model = model
                            v.schema = InputSchema(model.schema, policy: ScoringPolicy(unseenCategories: .allow, maxRows: .max))
                        } catch {
                            v.failure = "\(error)"
                        }
                    }
                    if let schema = v.schema {
                        let (frame, unreadable) = Self.parse(page, rows: rows, schema: schema)
                        if let frame { v.frames.append(frame) }
                        v.read += rows.count - unreadable
                        v.unreadable += unreadable
                    }
                }
                versions[label] = v
            }
        }
        let traffic = ServingTraffic(requests: requests, answered: answered, refused: refused, errors: errors, latenciesMicros: latencies)
        // the version compared: the one asked for, else the one that answered most (ties: the first name)
        let label = modelLabel ?? versions.max { a, b in a.value.requests != b.value.requests ? a.value.requests < b.value.requests : a.key > b.key }?.key
        var warnings: [String] = []
        let chosen = label.flatMap { versions[$0] } ?? Version()
        if let failure = chosen.failure, let label { warnings.append("the model \(label) that answered the window cannot be loaded: \(failure)") }
        let other = answered - chosen.requests
        if other > 0, let label {
            warnings.append("\(other) logged request\(other == 1 ? " was" : "s were") answered by another model version than \(label) and \(other == 1 ? "is" : "are") not compared")
        }
        if chosen.unreadable > 0, let label {
            let n = chosen.unreadable
            warnings.append("\(n) logged request bod\(n == 1 ? "y" : "ies") could not be read as \(label)'s input and \(n == 1 ? "is" : "are") not compared")
        }
        let frame = chosen.frames.isEmpty ? (try! Frame(columns: [])) : Batches.concatenate(chosen.frames)
        return Result(label: label, model: chosen.model, frame: frame, requestsRead: chosen.read, traffic: traffic, warnings: warnings,
                      kept: kept, answeredRows: answeredRows)
    }

    /// The bodies of `page[rows]` as one frame (nil when none could be read) and how many could not
    /// be read; the rows are split between the cores.
    static func parse(_ page: [ServingLogEntry], rows: [Int], schema: InputSchema) -> (Frame?, Int) {
        let parts = rows.count >= 2_000 ? max(ProcessInfo.processInfo.activeProcessorCount, 1) : 1
        let results = UnsafeMutableBufferPointer<(Frame?, Int)>.allocate(capacity: parts)
        results.initialize(repeating: (nil, 0))
        defer { results.deallocate() }
        let out = SendablePointer(results.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let range = (rows.count * p / parts)..<(rows.count * (p + 1) / parts)
            var builder = RequestFrameBuilder(schema: schema)
            for i in range {
                var input = page[rows[i]].input
                input.withUTF8 { bytes in
                    let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
                    if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                        builder.append(json: UnsafeRawBufferPointer(bytes))
                    } else {
                        builder.append(csv: Array(bytes))
                    }
                }
            }
            out.base[p] = (builder.rows > 0 ? builder.frame() : nil, builder.unreadable)
        }
        let frames = results.compactMap(\.0)
        return (frames.isEmpty ? nil : Batches.concatenate(frames), results.reduce(0) { $0 + $1.1 })
    }
}

/// A buffer's base address handed to `concurrentPerform`'s workers, each writing its own slot.
private struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
