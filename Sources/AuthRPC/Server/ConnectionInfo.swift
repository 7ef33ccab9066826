import NIOCore

/// What the transport knows about the other end of one connection (SPEC §8): its
/// address and, over mTLS, the caller named by its verified client certificate.
/// The server binds it to the connection's `Dispatcher`, so every request of the
/// connection can be judged by who sent it (caller policy, rate limits, access log).
///
/// A class: every request's `Call` carries it, and a reference is one retain to copy
/// where the address and identity are several.
public final class ConnectionInfo: Sendable {
    /// The peer's socket address, when the socket still knows it.
    public let peer: SocketAddress?
    /// The connection is TLS (its requests arrived encrypted).
    public let isTLS: Bool
    /// The caller's identity from its client certificate; nil without mTLS.
    public let caller: CallerIdentity?

    public init(peer: SocketAddress? = nil, isTLS: Bool = false, caller: CallerIdentity? = nil) {
        self.peer = peer
        self.isTLS = isTLS
        self.caller = caller
    }

    /// The peer as `ip:port` for logs, or `unknown`.
    public var peerDescription: String {
        guard let peer, let ip = peer.ipAddress, let port = peer.port else { return "unknown" }
        if case .v6 = peer { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
