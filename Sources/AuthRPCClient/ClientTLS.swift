import Foundation
import NIOCore
import NIOSSL

/// TLS for a client of authrpc (SPEC §8, §10): the CA that issued the server's
/// certificate, optionally a client certificate and key for mTLS, and the name the
/// server's certificate must carry. TLS 1.3 only, verification always on.
public struct ClientTLSSettings: Sendable, Equatable {
    /// PEM file of the CA(s) to trust; nil trusts the system's roots.
    public var caFile: String?
    /// PEM client certificate (chain) for mTLS; needs `keyFile`.
    public var certificateFile: String?
    /// PEM private key of `certificateFile`, unencrypted.
    public var keyFile: String?
    /// The name the server's certificate must hold, also sent as SNI. nil: the host
    /// connected to (a name, or an IP address matched against the certificate's IP SANs).
    public var serverName: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
    }
}

/// A client TLS context built once from `ClientTLSSettings`, shared by every
/// connection that uses it (building one reads and parses the files).
public final class ClientTLS: Sendable {
    public let settings: ClientTLSSettings
    let context: NIOSSLContext

    /// Reads the files; a missing or unparsable one is `AuthRPCClientError.tlsSetup`.
    public init(_ settings: ClientTLSSettings) throws(AuthRPCClientError) {
        self.settings = settings
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.certificateVerification = .fullVerification
        if let caFile = settings.caFile {
            let roots = try Self.certificates(caFile, what: "CA file")
            configuration.trustRoots = .certificates(roots)
        }
        switch (settings.certificateFile, settings.keyFile) {
        case let (certificateFile?, keyFile?):
            let chain = try Self.certificates(certificateFile, what: "client certificate")
            let bytes = try Self.read(keyFile, what: "client key")
            guard let key = try? NIOSSLPrivateKey(bytes: bytes, format: .pem) else {
                throw .tlsSetup("client key \(keyFile) holds no unencrypted PEM private key")
            }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        case (nil, nil):
            break
        default:
            throw .tlsSetup("a client certificate and its key go together: give both or neither")
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            let reasons = TLSFailure.reasons(of: error)
            // The key parsed above, so failing to load it now means it does not fit the certificate.
            if reasons.contains("KEY_VALUES_MISMATCH") || reasons.contains("failedToLoadPrivateKey") {
                throw .tlsSetup("client key \(settings.keyFile ?? "") is not the key of \(settings.certificateFile ?? "")")
            }
            throw .tlsSetup("TLS setup failed: \(reasons.isEmpty ? "\(error)" : reasons.joined(separator: ", "))")
        }
    }

    /// The name to send as SNI and check the certificate against, for a connection to `host`.
    /// An IP address cannot be sent as SNI; NIOSSL then checks the peer's address instead.
    func serverHostname(connectingTo host: String) -> String? {
        let name = settings.serverName ?? host
        return (try? SocketAddress(ipAddress: name, port: 0)) == nil ? name : nil
    }

    /// The handlers a TLS connection starts with, in order: `ready` completes when the
    /// handshake is done (or fails with `AuthRPCClientError.tls`).
    public func makeHandlers(host: String, ready: EventLoopPromise<Void>, handshakeTimeout: TimeAmount) throws -> [any ChannelHandler] {
        try makeHandlers(host: host, ready: ready, handshakeTimeout: handshakeTimeout, closedBy: ClosedBy())
    }

    func makeHandlers(host: String, ready: EventLoopPromise<Void>, handshakeTimeout: TimeAmount,
                      closedBy: ClosedBy) throws -> [any ChannelHandler] {
        let name = settings.serverName ?? host
        let handler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname(connectingTo: host))
        return [handler, ClientTLSHandler(tls: handler, serverName: name, ready: ready, timeout: handshakeTimeout,
                                          closedBy: closedBy)]
    }

    private static func read(_ path: String, what: String) throws(AuthRPCClientError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .tlsSetup("\(what) \(path) cannot be read")
        }
        return Array(data)
    }

    private static func certificates(_ path: String, what: String) throws(AuthRPCClientError) -> [NIOSSLCertificate] {
        let bytes = try read(path, what: what)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw .tlsSetup("\(what) \(path) holds no PEM certificate")
        }
        return certificates
    }
}
