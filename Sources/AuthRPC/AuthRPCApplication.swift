import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Wire

/// Wires the service together from a validated configuration: the event loops,
/// the shared HTTP transport, the JWKS caches, the service and the server.
/// The executable only loads configuration and calls `run()`.
public final class AuthRPCApplication: Sendable {
    public let config: ServiceConfig
    public let server: AuthRPCServer
    /// Every pool's signing keys; a `Service` that fetches at start and refreshes in the background.
    public let keys: JWKSRegistry
    private let group: MultiThreadedEventLoopGroup
    /// One libcurl transport for the process: Cognito calls and JWKS fetches share its connections.
    private let transport: CurlHTTPTransport
    private let logger: Logger

    public init(config: ServiceConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        let threads = config.threads > 0 ? config.threads : System.coreCount
        // LoopTicks lets connections that flood a loop take turns with the others.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads, metricsDelegate: LoopTicks())
        self.transport = CurlHTTPTransport()
        self.keys = JWKSRegistry(config: config, transport: transport, logger: logger)
        let dispatcher = Self.methods(config: config, transport: transport, keys: keys, logger: logger)
        self.server = AuthRPCServer(config: config, dispatcher: dispatcher, group: group, logger: logger)
    }

    /// The service serving every RPC of SPEC §4, behind its dispatcher.
    public static func methods(config: ServiceConfig, transport: any HTTPTransport, keys: JWKSRegistry,
                               logger: Logger, startedAt: ContinuousClock.Instant = .now) -> Dispatcher {
        let service = AuthRPCService(
            health: HealthMethod(startedAt: startedAt, poolReport: { (keys.hasKeysForEveryPool, keys.poolStatuses()) }),
            verifier: TokenVerifier(config: config, keys: keys),
            cognito: CognitoClient(config: config, transport: transport, logger: logger))
        return Dispatcher(service: service)
    }

    /// Serves until SIGTERM or SIGINT, drains in-flight work (SPEC §3), then returns.
    /// The server starts at once; Health says not-ready until the first keys arrive.
    public func run() async throws {
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: keys), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await services.run()
        // The server has drained; calls still running are failed and their handles freed.
        transport.shutdown()
        try await group.shutdownGracefully()
    }
}
