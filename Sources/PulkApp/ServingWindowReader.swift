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

    /// One model version's share of the window: its requests' rows, read by one builder per core.
    struct Version {
        var model: (any Model)?
        var builders: [RequestFrameBuilder] = []
        var requests = 0
        var failure: String?
        var read: Int { builders.reduce(0) { $0 + $1.bodies } }
        var unreadable: Int { builders.reduce(0) { $0 + $1.unreadable } }
        var frame: Frame {
            let frames = builders.filter { $0.rows > 0 }.map { $0.frame() }
            return frames.isEmpty ? (try! Frame(columns: [])) : Batches.concatenate(frames)
        }
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
        // The next page is read while this one is parsed; until one comes back empty (a server may
        // answer shorter pages than asked for).
        var next: _Concurrency.Task<[ServingLogEntry], any Error>? = fetch(after: nil)
        while let pending = next {
            let page = try await pending.value
            next = page.isEmpty ? nil : fetch(after: ServingLogPosition(page[page.count - 1]))
            var byVersion: [String: [Int]] = [:]
            var last: (model: String, version: String, label: String)?
            for (i, e) in page.enumerated() where !e.shadow {
                requests += 1
                latencies.append(e.latencyMicros)
                switch e.status {
                case 200:
                    answered += 1
                    answeredRows += e.rows
                    // (most neighbours were answered by the same version: its label is made once)
                    if last == nil || last!.model != e.model || last!.version != e.version { last = (e.model, e.version, "\(e.model):\(e.version)") }
                    byVersion[last!.label, default: []].append(i)
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
                // (taken out while it grows: a copy left in the dictionary would make every append copy the columns)
                var v = versions.removeValue(forKey: label) ?? Version()
                v.requests += rows.count
                if modelLabel == nil || modelLabel == label {
                    if v.builders.isEmpty && v.failure == nil {
                        do {
                            let model = try await ModelReference(parsing: label).resolve(try await tracking()).model
                            v.model = model
                            let schema = InputSchema(model.schema, policy: ScoringPolicy(unseenCategories: .allow, maxRows: .max))
                            v.builders = Array(repeating: RequestFrameBuilder(schema: schema), count: defaultThreadCount())
                        } catch {
                            v.failure = "\(error)"
                        }
                    }
                    if !v.builders.isEmpty { Self.parse(page, rows: rows, into: &v.builders) }
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
        let frame = chosen.frame
        return Result(label: label, model: chosen.model, frame: frame, requestsRead: chosen.read, traffic: traffic, warnings: warnings,
                      kept: kept, answeredRows: answeredRows)
    }

    /// Appends the bodies of `page[rows]` to the builders, a share for each (one per core).
    static func parse(_ page: [ServingLogEntry], rows: [Int], into builders: inout [RequestFrameBuilder]) {
        let parts = builders.count
        builders.withUnsafeMutableBufferPointer { b in
            let out = SharedPointer(b.baseAddress!)
            parallelFor(parts, threads: parts) { p in
                for i in (rows.count * p / parts)..<(rows.count * (p + 1) / parts) {
                    var input = page[rows[i]].input
                    input.withUTF8 { out.base[p].append(body: $0) }
                }
            }
        }
    }
}
