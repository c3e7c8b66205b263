public import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Foundation

/// TLS for `pulk server` and `pulk serve` (`--tls-cert`, `--tls-key`), for teams without a proxy
/// in front: a PEM certificate chain and its private key, read and checked when the server starts.
public struct ServerTLS: Sendable {
    let configuration: TLSConfiguration

    /// What is wrong with the certificate or key, with how to fix it.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(certificateChain certificatePath: String, privateKey keyPath: String) throws(Failure) {
        for (path, what) in [(certificatePath, "certificate"), (keyPath, "private key")] where !FileManager.default.isReadableFile(atPath: path) {
            throw Failure(description: "The TLS \(what) \(path) does not exist or cannot be read; give a PEM file to --tls-\(what == "certificate" ? "cert" : "key")")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw Failure(description: "\(certificatePath) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var c = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            c.minimumTLSVersion = .tlsv12
            // Checks that the key matches the certificate now, not at the first connection.
            _ = try NIOSSLContext(configuration: c)
            configuration = c
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure(description: "Cannot use \(certificatePath) and \(keyPath) for TLS (\(error)); give a PEM certificate chain and its PEM private key")
        }
    }

    /// `base` with TLS in front of it.
    public func wrap(_ base: HTTPServerBuilder) throws -> HTTPServerBuilder {
        try .tls(base, tlsConfiguration: configuration)
    }
}
