import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw HTTP/1.1 over a loopback socket: what a client sends in one write, and everything the
/// server answers until it closes the connection (or `until` appears in it).
///
/// The blocking socket calls run on a thread of their own: on a two-core machine Swift's
/// cooperative pool has two threads, and a test blocking one of them while other tests block the
/// other (an oracle's Python process) would starve the router this test is waiting for.
public func exchange(port: Int, _ request: String, until marker: String? = nil) async throws -> String {
    try await closingExchange(port: port, request, until: marker).text
}

/// `exchange`, and whether the server closed the connection (rather than the read timing out).
public func closingExchange(port: Int, _ request: String, until marker: String? = nil) async throws -> (text: String, closed: Bool) {
    try await withCheckedThrowingContinuation { (answer: CheckedContinuation<(text: String, closed: Bool), any Error>) in
        Thread { answer.resume(with: Result { try blockingExchange(port: port, request, until: marker) }) }.start()
    }
}

private func blockingExchange(port: Int, _ request: String, until marker: String?) throws -> (text: String, closed: Bool) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EBADF) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var timeout = timeval(tv_sec: 120, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw POSIXError(.EPIPE) }
        sent += n
    }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    var closed = false
    while true {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { closed = n == 0; break }
        answer += chunk[..<n]
        if let marker, String(decoding: answer, as: UTF8.self).components(separatedBy: marker).count > 1 { break }
    }
    return (String(decoding: answer, as: UTF8.self), closed)
}

/// A request as a client writes it.
public func post(_ path: String, _ body: String, headers: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
}

