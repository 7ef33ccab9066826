/// TLS on the RPC listener (SPEC §8). The files are PEM; they are read at start-up and
/// again on SIGHUP and whenever their contents change.
public struct TLSSettings: Sendable, Equatable {
    /// The server's certificate, then any intermediates (`AUTHRPC_TLS_CERT`).
    public var certificatePath: String
    /// The certificate's private key, unencrypted (`AUTHRPC_TLS_KEY`).
    public var keyPath: String
    /// With it, every client must present a certificate this CA issued: mTLS, and the
    /// certificate names the caller (`AUTHRPC_TLS_CLIENT_CA`).
    public var clientCAPath: String?
    /// A connection that has not finished its handshake by then is closed
    /// (`AUTHRPC_TLS_HANDSHAKE_TIMEOUT_S`).
    public var handshakeTimeout: Duration = .seconds(10)
    /// How often the files are read to see whether they changed (`AUTHRPC_TLS_RELOAD_CHECK_S`).
    public var reloadCheckInterval: Duration = .seconds(5)

    public init(certificatePath: String, keyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.clientCAPath = clientCAPath
    }
}
