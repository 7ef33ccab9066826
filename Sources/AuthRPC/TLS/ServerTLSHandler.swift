import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind `NIOSSLServerHandler` on a TLS connection (SPEC §8) and owns the part
/// before the first request: the handshake's deadline, the refusal of a client that is
/// not speaking TLS or whose certificate names no caller, and one log line per kind of
/// failure rather than one per connection. Once the handshake is done it puts the
/// request handler behind itself with the connection's `ConnectionInfo`, and only then
/// tells it the channel is active, so the idle clock starts with the first request.
final class ServerTLSHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Makes the handler that serves the connection's requests.
    typealias MakeRequestHandler = (ConnectionInfo, Logger) throws -> any ChannelHandler

    private let tls: NIOSSLServerHandler
    private let requireCaller: Bool
    private let handshakeTimeout: TimeAmount
    private var logger: Logger
    private let warnings: RateLimitedWarnings
    private let makeRequestHandler: MakeRequestHandler
    private var timeout: Scheduled<Void>?
    private var established = false
    private var saidUncleanShutdown = false

    init(tls: NIOSSLServerHandler, requireCaller: Bool, handshakeTimeout: TimeAmount, logger: Logger,
         warnings: RateLimitedWarnings, makeRequestHandler: @escaping MakeRequestHandler) {
        self.tls = tls
        self.requireCaller = requireCaller
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
        self.warnings = warnings
        self.makeRequestHandler = makeRequestHandler
    }

    func channelActive(context: ChannelHandlerContext) {
        // Held back until the handshake is done (`established`).
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
            guard !self.established else { return }
            self.warnings.warn("TLS handshake timed out, closing", level: .info,
                               metadata: ["peer": "\(ConnectionInfo(peer: context.channel.remoteAddress).peerDescription)"])
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !established {
            if case TLSUserEvent.handshakeCompleted = event {
                handshakeCompleted(context: context)
            } else if event is ChannelShouldQuiesceEvent || event is GraceOverEvent {
                // Shutting down: a connection that has asked nothing yet just closes.
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard established else {
            // NIOSSLHandler closes the connection after a failed handshake; what is left
            // is to say why, once per kind and second, not once per connection.
            let failure = HandshakeFailure(error)
            warnings.warn("TLS handshake failed", level: failure.level, kind: failure.kind, metadata: [
                "peer": "\(ConnectionInfo(peer: context.channel.remoteAddress).peerDescription)",
                "why": "\(failure.explanation)", "reason": "\(failure.reasons.joined(separator: ","))"])
            context.close(promise: nil)
            return
        }
        if case NIOSSLError.uncleanShutdown = error {
            // The peer closed TCP without a close_notify. Frames are length-prefixed, so a
            // cut-off frame is seen as such; the half-close that follows drains as in plaintext.
            if !saidUncleanShutdown { logger.debug("TLS peer closed without close_notify") }
            saidUncleanShutdown = true
            return
        }
        context.fireErrorCaught(error)
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        established = true
        timeout?.cancel()
        timeout = nil
        let info = ConnectionInfo(peer: context.channel.remoteAddress, isTLS: true,
                                  caller: tls.peerCertificate.flatMap(CallerIdentity.init(certificate:)))
        if requireCaller && info.caller == nil {
            warnings.warn("client certificate names no caller (no usable URI SAN, DNS SAN or CN), closing",
                          metadata: ["peer": "\(info.peerDescription)"])
            context.close(promise: nil)
            return
        }
        if let caller = info.caller {
            logger[metadataKey: "caller"] = "\(caller.name)"
        }
        logger.debug("TLS connection established", metadata: ["caller_from": "\(info.caller?.source.rawValue ?? "none")"])
        do {
            let handler = try makeRequestHandler(info, logger)
            try context.pipeline.syncOperations.addHandler(handler, position: .after(self))
        } catch {
            logger.error("could not set up the connection", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }
}

/// Why a handshake failed, sorted into a few kinds for the log.
struct HandshakeFailure {
    var kind: String
    var explanation: String
    var reasons: [String]

    /// A client that is misconfigured is worth a warning; one that connects and leaves
    /// (a TCP health check, a port scan) only at debug.
    var level: Logger.Level {
        switch kind {
        case "eof": .debug
        case "other": .info
        default: .warning
        }
    }

    init(_ error: any Error) {
        reasons = TLSErrorReason.reasons(of: error)
        let set = Set(reasons)
        if !set.isDisjoint(with: ["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL",
                                  "UNEXPECTED_RECORD", "DECODE_ERROR", "EXCESSIVE_MESSAGE_SIZE"]) {
            (kind, explanation) = ("not-tls", "the client is not speaking TLS (a plaintext client on the TLS port?)")
        } else if set.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            (kind, explanation) = ("no-client-certificate", "the client sent no certificate; one from the client CA is required")
        } else if set.contains("CERTIFICATE_VERIFY_FAILED") {
            (kind, explanation) = ("client-certificate-refused",
                                   "the client certificate did not verify: not from the client CA, expired or not yet valid")
        } else if set.contains("UNSUPPORTED_PROTOCOL") || set.contains("NO_SHARED_CIPHER") {
            (kind, explanation) = ("no-tls13", "the client does not offer TLS 1.3")
        } else if set.contains(where: { $0.contains("ALERT") }) {
            (kind, explanation) = ("client-alert", "the client ended the handshake (did it refuse the server certificate?)")
        } else if set.contains(where: { $0.contains("EOF") }) {
            (kind, explanation) = ("eof", "the client closed the connection during the handshake")
        } else {
            (kind, explanation) = ("other", "the TLS handshake failed")
        }
    }
}
