import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PulkServer
import PulkServing
import PulkSQL
import PulkStore
import PulkTestSupport
import Testing

/// The security probe's findings against a live tracking server (in process, on a loopback
/// socket): each hostile request is a 4xx with MLflow's JSON error body, and the server keeps
/// answering afterwards.
@Suite("Tracking server: hostile requests")
struct HostileRequestTests {
    /// A server on a fresh SQLite store and artifact folder, with the serving routes mounted as
    /// `pulk server` mounts them.
    static func withServer(_ body: @Sendable (Int, ArtifactStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts, configuration: ServerConfiguration(port: 0),
                                             serving: ServingRoutes(table: EndpointTable()))
        try await app.test(.live) { client in try await body(try #require(client.port), artifacts) }
    }

    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" }

    /// The status and whether the body is MLflow's error JSON.
    static func status(_ answer: String) -> Int { Int(answer.dropFirst(9).prefix(3)) ?? 0 }

    static func expectRefused(_ answer: String, _ what: String, says: String? = nil, status: ClosedRange<Int> = 400...499) {
        #expect(status.contains(Self.status(answer)), "\(what): \(answer.prefix(300))")
        #expect(answer.contains("\"error_code\""), "\(what): no JSON error body: \(answer.prefix(300))")
        if let says { #expect(answer.contains(says), "\(what): \(answer.prefix(400))") }
    }

    @Test func searchesThatWouldCrashOrFail() async throws {
        try await Self.withServer { port, _ in
            let deep = String(repeating: "%28", count: 30_000) + "metrics.a%3E1" + String(repeating: "%29", count: 30_000)
            for path in ["/api/2.0/mlflow/experiments/search?max_results=10&filter=\(deep)",
                         "/api/2.0/mlflow/registered-models/search?filter=\(deep)",
                         "/api/2.0/mlflow/model-versions/search?filter=\(deep)"] {
                let answer = try await exchange(port: port, Self.get(path))
                Self.expectRefused(answer, String(path.prefix(50)))
            }
            let clauses = (0..<1000).map { "metrics.m\($0) > 1" }.joined(separator: " OR ")
            let search = try await exchange(port: port, post("/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "filter": "\#(clauses)"}"#,
                                                              headers: "Connection: close\r\n"))
            Self.expectRefused(search, "1000 OR clauses", says: "at most 200")
            let keys = (0..<10_000).map { "\"params.p\($0)\"" }.joined(separator: ",")
            let ordered = try await exchange(port: port, post("/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "order_by": [\#(keys)]}"#,
                                                               headers: "Connection: close\r\n"))
            Self.expectRefused(ordered, "10,000 order_by keys", says: "at most 20")
            // Still serving.
            #expect(try await exchange(port: port, Self.get("/health")).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func artifactUploadsThatWereServerErrors() async throws {
        try await Self.withServer { port, artifacts in
            let base = "/api/2.0/mlflow-artifacts/artifacts"
            func put(_ key: String, _ body: String = "data") -> String {
                "PUT \(base)/\(key) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            }
            #expect(try await exchange(port: port, put("1/run/artifacts/dir/file.txt")).hasPrefix("HTTP/1.1 200"))
            Self.expectRefused(try await exchange(port: port, put("1/run/artifacts/dir")), "PUT onto a folder", says: "folder")
            Self.expectRefused(try await exchange(port: port, put("1/" + String(repeating: "n", count: 300))), "300-byte name", says: "255")
            Self.expectRefused(try await exchange(port: port, put("/etc/passwd")), "absolute path", says: "absolute")
            #expect(!FileManager.default.fileExists(atPath: artifacts.root.appendingPathComponent("etc/passwd").path))
            // A chunked upload whose chunk size overflows: 400 with a body, and no temporary file left.
            let chunked = "PUT \(base)/1/run/artifacts/c.bin HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\nabcd\r\nFFFFFFFFFFFFFFFFFFFFFF\r\nxx\r\n0\r\n\r\n"
            let (answer, closed) = try await closingExchange(port: port, chunked)
            Self.expectRefused(answer, "overflowing chunk size")
            #expect(closed)
            let left = try FileManager.default.subpathsOfDirectory(atPath: artifacts.root.path).filter { $0.contains(".pulk-upload-") || $0.hasSuffix("c.bin") }
            #expect(left.isEmpty, "\(left)")
            #expect(try await exchange(port: port, Self.get("/health")).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func inputsRefusedInsteadOfStored() async throws {
        try await Self.withServer { port, _ in
            func call(_ path: String, _ json: String) async throws -> String {
                try await exchange(port: port, post("/api/2.0/mlflow/" + path, json, headers: "Connection: close\r\n"))
            }
            let big = String(repeating: "x", count: 1 << 20)
            Self.expectRefused(try await call("experiments/create", #"{"name": "\#(big)"}"#), "1 MB experiment name", says: "limit is 256")
            Self.expectRefused(try await call("experiments/create", #"{"name": "etc", "artifact_location": "file:///etc"}"#), "file: location")
            Self.expectRefused(try await call("experiments/create", #"{"name": "a\u0000b"}"#), "NUL in a name", says: "NUL")
            let run = try await call("runs/create", #"{"experiment_id": "0"}"#)
            let runId = try #require(run.range(of: #""run_id":"([0-9a-f]{32})""#, options: .regularExpression).map { String(run[$0].dropFirst(10).dropLast()) })
            Self.expectRefused(try await call("runs/log-batch", #"{"run_id": "\#(runId)", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0.5}]}"#),
                               "fractional step", says: "step")
            Self.expectRefused(try await call("runs/log-batch", #"{"run_id": "\#(runId)", "params": [{"key": "a\u0000b", "value": "1"}]}"#), "NUL in a key")
            Self.expectRefused(try await call("runs/search", #"{"experiment_ids": ["0"], "order_by": ["metrics.acc junk"]}"#), "malformed order_by")
        }
    }

    /// Browser-side: DNS rebinding, cross-site changes and form-encoded bodies are refused;
    /// pages carry their security headers.
    @Test func browserSideProtections() async throws {
        try await Self.withServer { port, _ in
            let body = #"{"name": "from-a-page"}"#
            let path = "/api/2.0/mlflow/experiments/create"
            func send(_ headers: String, contentType: String = "application/json") async throws -> String {
                try await exchange(port: port, "POST \(path) HTTP/1.1\r\n\(headers)Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            }
            Self.expectRefused(try await exchange(port: port, "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"), "rebinding",
                               says: "evil.example")
            Self.expectRefused(try await send("Host: localhost\r\nOrigin: http://evil.example\r\n"), "foreign origin", says: "origin")
            Self.expectRefused(try await send("Host: localhost\r\nOrigin: null\r\n"), "null origin")
            Self.expectRefused(try await send("Host: localhost\r\nSec-Fetch-Site: cross-site\r\n"), "cross-site fetch")
            Self.expectRefused(try await send("Host: localhost\r\n", contentType: "text/plain"), "text/plain body", says: "application/json")
            Self.expectRefused(try await send("Host: localhost\r\n", contentType: "application/x-www-form-urlencoded"), "form body")
            // The server's own origin, and clients that send none (MLflow's), may change things.
            #expect(try await send("Host: localhost:\(port)\r\nOrigin: http://localhost:\(port)\r\nSec-Fetch-Site: same-origin\r\n").hasPrefix("HTTP/1.1 200"))
            let page = try await exchange(port: port, Self.get("/"))
            #expect(page.hasPrefix("HTTP/1.1 200"))
            let head = page.components(separatedBy: "\r\n\r\n")[0].lowercased()
            for field in ["content-security-policy: default-src 'none'", "x-frame-options: deny", "x-content-type-options: nosniff", "referrer-policy: same-origin"] {
                #expect(head.contains(field), "\(field) missing: \(head)")
            }
        }
    }

    /// `--tls-cert`/`--tls-key`: the tracking server over HTTPS with a self-signed certificate
    /// (made by openssl), plain HTTP refused on the same port, and clear errors for bad files.
    @Test func tls() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl is needed to make a test certificate")
        // Bad files are refused when the server starts, saying what to fix.
        #expect(throws: ServerTLS.Failure.self) { _ = try ServerTLS(certificateChain: dir.appendingPathComponent("missing.pem").path, privateKey: key) }
        #expect(throws: ServerTLS.Failure.self) { _ = try ServerTLS(certificateChain: key, privateKey: cert) }
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts,
                                                 configuration: ServerConfiguration(port: 0, tls: try ServerTLS(certificateChain: cert, privateKey: key)),
                                                 serving: ServingRoutes(table: EndpointTable()))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // curl runs on a thread of its own: blocking a cooperative thread while the server
            // answers on the same pool could starve the server on a busy two-core machine.
            let text = try await Self.curl(["-sk", "--max-time", "20", "https://localhost:\(port)/health"])
            #expect(text == "OK", "\(text)")
            // Plain HTTP on the TLS port gets no HTTP answer.
            let plain = try await closingExchange(port: port, Self.get("/health"))
            #expect(!plain.text.hasPrefix("HTTP/1.1 200"))
        }
    }

    /// curl's output, run off the cooperative pool.
    static func curl(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let curl = Process()
                let out = Pipe()
                curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                curl.arguments = ["curl"] + arguments
                curl.standardOutput = out
                do { try curl.run() } catch { continuation.resume(throwing: error); return }
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                curl.waitUntilExit()
                continuation.resume(returning: text)
            }
        }
    }
}
