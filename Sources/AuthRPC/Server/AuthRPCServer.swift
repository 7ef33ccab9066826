import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import Wire

/// The TCP server of SPEC §3: accepts connections, frames them, dispatches
/// requests, and shuts down gracefully. It is a `Service`, so a `ServiceGroup`
/// runs it and turns SIGTERM/SIGINT into a graceful shutdown.
public final class AuthRPCServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let limits: ConnectionLimits
    private let maxFrameBytes: Int
    private let shutdownGrace: TimeAmount
    private let dispatcher: Dispatcher
    private let interceptors: CallInterceptors
    private let group: any EventLoopGroup
    private let logger: Logger
    private let connections: ConnectionRegistry
    private let buffering: ConnectionBuffering
    private let warnings: RateLimitedWarnings
    private let listener = Mutex<(any Channel)?>(nil)
    /// TLS on the listener (SPEC §8); nil serves plaintext.
    private let tls: ServerTLS?
    private let draining = Atomic<Bool>(false)

    /// `interceptors` see every request before dispatch and after its answer
    /// (`CallInterceptor`); by default the access log. `tls` is the listener's TLS
    /// context, built from `config.tls` (`ServerTLS`); nil serves plaintext. `background`
    /// runs what the server does off its event loops.
    public init(config: ServiceConfig, dispatcher: Dispatcher, interceptors: [any CallInterceptor]? = nil,
                group: any EventLoopGroup, logger: Logger, tls: ServerTLS? = nil, background: BackgroundWork) {
        self.host = config.listenHost
        self.port = config.listenPort
        self.limits = ConnectionLimits(maxInFlight: config.maxInFlightPerConnection,
                                       idleTimeout: TimeAmount(config.idleTimeout),
                                       maxAge: config.maxConnectionAge.map(TimeAmount.init))
        self.maxFrameBytes = config.maxFrameBytes
        self.shutdownGrace = TimeAmount(config.shutdownGrace)
        self.dispatcher = dispatcher
        self.interceptors = CallInterceptors(interceptors ?? [AccessLog(logger: logger, mode: config.accessLog)])
        self.group = group
        self.logger = logger
        self.connections = ConnectionRegistry(maxConnections: config.maxConnections, background: background)
        self.buffering = ConnectionBuffering(bytes: config.connectionBufferBytes)
        self.warnings = RateLimitedWarnings(logger: logger, background: background)
        self.tls = tls
    }

    /// Open connections right now.
    public var connectionCount: Int { connections.count }

    /// Connections accepted, and refused at `AUTHRPC_MAX_CONNECTIONS`, since start.
    public var connectionTotals: (accepted: Int, refused: Int) { connections.totals }

    /// True from the moment a graceful shutdown begins: the server still answers what
    /// it was asked, but a load balancer should send nothing new (SPEC §9 `/readyz`).
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Where the listener is bound, once `start` has run (useful with port 0).
    public var boundAddress: SocketAddress? { listener.withLock { $0?.localAddress } }

    /// Binds the listening socket and starts accepting. Returns the bound address
    /// (useful with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let dispatcher = self.dispatcher, interceptors = self.interceptors, limits = self.limits
        let logger = self.logger, warnings = self.warnings
        let connections = self.connections, maxFrameBytes = self.maxFrameBytes, tls = self.tls
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            // A burst of connections is accepted in a few turns of the loop, not four per
            // turn: otherwise a client connecting behind a flood waits for all of it.
            .serverChannelOption(.maxMessagesPerRead, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: buffering.waterMark)
            .childChannelOption(.socketOption(.so_sndbuf), value: buffering.socketSendBuffer)
            .childChannelOption(.maxMessagesPerRead, value: buffering.readsPerBatch)
            .childChannelOption(.recvAllocator, value: buffering.recvAllocator)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    warnings.warn("connection refused: at the connection limit")
                    return channel.eventLoop.makeFailedFuture(ConnectionRefused())
                }
                return channel.eventLoop.makeCompletedFuture {
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "peer"] = "\(ConnectionInfo(peer: channel.remoteAddress).peerDescription)"
                    let makeConnectionHandler = { (info: ConnectionInfo, logger: Logger) -> ConnectionHandler in
                        ConnectionHandler(dispatcher: dispatcher, interceptors: interceptors, connection: info,
                                          limits: limits, maxFrameBytes: maxFrameBytes, logger: logger, warnings: warnings)
                    }
                    let sync = channel.pipeline.syncOperations
                    guard let tls else {
                        try sync.addHandler(makeConnectionHandler(ConnectionInfo(peer: channel.remoteAddress), connectionLogger))
                        return
                    }
                    // The context as it is now: a reload changes it for later connections only.
                    let ssl = NIOSSLServerHandler(context: tls.context)
                    try sync.addHandler(ssl)
                    try sync.addHandler(ServerTLSHandler(
                        tls: ssl, requireCaller: tls.requiresClientCertificate,
                        handshakeTimeout: TimeAmount(tls.settings.handshakeTimeout), logger: connectionLogger,
                        warnings: warnings, makeRequestHandler: makeConnectionHandler))
                }
            }
            .bind(host: host, port: port)
            .get()
        listener.withLock { $0 = channel }
        let address = channel.localAddress!
        logger.info("listening", metadata: [
            "address": "\(address)",
            "transport": "\(tls == nil ? "plaintext" : tls!.requiresClientCertificate ? "tls1.3+mtls" : "tls1.3")"])
        return address
    }

    /// Stops accepting; `waitUntilStopped` then drains the open connections.
    public func stop() {
        draining.store(true, ordering: .releasing)
        listener.withLock { $0 }?.close(promise: nil)
    }

    /// Returns once the listener has closed and every connection has answered what
    /// it had in flight, or the shutdown grace has run out (then the rest are closed).
    public func waitUntilStopped() async {
        guard let channel = listener.withLock({ $0 }) else { return }
        try? await channel.closeFuture.get()
        await drainConnections()
    }

    /// `Service`: start, serve until a graceful shutdown is requested, then drain.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await waitUntilStopped()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func drainConnections() async {
        let open = connections.all
        logger.info("draining connections", metadata: ["open": "\(open.count)"])
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if await connections.waitUntilEmpty(within: .nanoseconds(shutdownGrace.nanoseconds)) {
            logger.info("stopped")
            return
        }
        // SPEC §3: nothing in flight is lost. Each connection answers what it still owes
        // `UNAVAILABLE`/`ShuttingDown`, flushes, and closes; one that cannot finish that in
        // a moment is closed regardless.
        let tally = ShutdownTally()
        for channel in connections.all { channel.pipeline.fireUserInboundEventTriggered(GraceOverEvent(tally: tally)) }
        _ = await connections.waitUntilEmpty(within: .seconds(1))
        let left = connections.all
        for channel in left { channel.close(promise: nil) }
        logger.warning("shutdown grace over: unfinished requests answered UNAVAILABLE/ShuttingDown", metadata: [
            "connections": "\(open.count)", "answered": "\(tally.total)", "closed_unflushed": "\(left.count)"])
        logger.info("stopped")
    }
}

struct ConnectionRefused: Error {}
