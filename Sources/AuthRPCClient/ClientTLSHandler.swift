import NIOCore
import NIOSSL
import Synchronization
import NIOTLS

/// Behind `NIOSSLClientHandler`: completes `ready` when the handshake is done (or fails
/// it with a `TLSFailure`), and holds `channelActive` back until then, so what follows
/// starts on an established connection (the load generator's clock, for one). Later TLS
/// errors go on as `AuthRPCClientError.tls`, so a call fails with a reason a person can read.
final class ClientTLSHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let tls: NIOSSLClientHandler
    private let serverName: String
    private let ready: EventLoopPromise<Void>
    /// Where a TLS failure after the handshake is kept, for calls made after it closed the connection.
    private let closedBy: ClosedBy
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var established = false
    private var failed = false

    init(tls: NIOSSLClientHandler, serverName: String, ready: EventLoopPromise<Void>, timeout: TimeAmount,
         closedBy: ClosedBy) {
        self.tls = tls
        self.closedBy = closedBy
        self.serverName = serverName
        self.ready = ready
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(TLSFailure(kind: .timedOut, message: "the TLS handshake did not finish within \(self.timeout.nanoseconds / 1_000_000) ms",
                                 reason: ""), context: context)
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !established, !failed, case TLSUserEvent.handshakeCompleted = event {
            guard let certificate = tls.peerCertificate, ServerNameCheck.certificate(certificate, names: serverName) else {
                fail(TLSFailure(kind: .serverNameMismatch,
                                message: "the server's certificate is not valid for \"\(serverName)\" (check --tls-server-name)",
                                reason: "no SAN names \(serverName)"), context: context)
                context.close(promise: nil)
                return
            }
            established = true
            timer?.cancel()
            ready.succeed()
            context.fireChannelActive()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure = TLSFailure(error, serverName: serverName)
        guard established else {
            fail(failure, context: context)
            return
        }
        if case NIOSSLError.uncleanShutdown = error { return }  // EOF follows; the frames say what was cut
        // In TLS 1.3 the server checks the client's certificate after the client's side of
        // the handshake is done: its refusal arrives here, as an alert.
        closedBy.record(.tls(failure))
        context.fireErrorCaught(AuthRPCClientError.tls(failure))
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if !established {
            fail(TLSFailure(kind: .closedDuringHandshake, message: "the server closed the connection during the TLS handshake",
                            reason: ""), context: context)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !established { fail(TLSFailure(kind: .other, message: "connection torn down", reason: ""), context: context) }
    }

    private func fail(_ failure: TLSFailure, context: ChannelHandlerContext) {
        guard !established, !failed else { return }
        failed = true
        timer?.cancel()
        ready.fail(AuthRPCClientError.tls(failure))
    }
}

/// Why a connection closed, when TLS said so; shared by the handler that learns it and
/// the `AuthRPCConnection` whose later calls would otherwise only see a closed channel.
final class ClosedBy: Sendable {
    private let error = Mutex<AuthRPCClientError?>(nil)

    func record(_ error: AuthRPCClientError) {
        self.error.withLock { $0 = $0 ?? error }
    }

    var recorded: AuthRPCClientError? { error.withLock { $0 } }
}
