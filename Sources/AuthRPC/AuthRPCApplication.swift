import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Wire

/// Wires the service together from a validated configuration: the event loops,
/// the shared HTTP transport, the JWKS caches, the method table and the server.
/// The executable only loads configuration and calls `run()`.
public final class AuthRPCApplication: Sendable {
    public let config: ServiceConfig
    public let server: AuthRPCServer
    /// Every pool's signing keys; a `Service` that fetches at start and refreshes in the background.
    public let keys: JWKSRegistry
    /// The listener's TLS context when TLS is configured, kept current by a `TLSReloader`.
    public let tls: ServerTLS?
    private let group: MultiThreadedEventLoopGroup
    /// One libcurl transport for the process: Cognito calls and JWKS fetches share its connections.
    private let transport: CurlHTTPTransport
    private let logger: Logger

    /// Reads the TLS files when TLS is configured: a bad one is a `ConfigError`, as a bad
    /// setting is (SPEC §7).
    public init(config: ServiceConfig, logger: Logger) throws(ConfigError) {
        self.config = config
        self.logger = logger
        self.tls = try config.tls.map { settings throws(ConfigError) in try ServerTLS(settings: settings, logger: logger) }
        let threads = config.threads > 0 ? config.threads : System.coreCount
        // LoopTicks lets connections that flood a loop take turns with the others.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads, metricsDelegate: LoopTicks())
        self.transport = CurlHTTPTransport()
        self.keys = JWKSRegistry(config: config, transport: transport, logger: logger)
        let dispatcher = Self.methods(config: config, transport: transport, keys: keys, logger: logger)
        self.server = AuthRPCServer(config: config, dispatcher: dispatcher, group: group, logger: logger, tls: tls)
    }

    /// Every RPC of SPEC §4 and the handler that serves it.
    public static func methods(config: ServiceConfig, transport: any HTTPTransport, keys: JWKSRegistry,
                               logger: Logger, startedAt: ContinuousClock.Instant = .now) -> Dispatcher {
        let cognito = CognitoClient(config: config, transport: transport, logger: logger)
        let verifier = TokenVerifier(config: config, keys: keys)
        var table = cognitoMethodHandlers(client: cognito)
        table[.verifyToken] = VerifyTokenMethod(verifier: verifier)
        table[.checkGroups] = CheckGroupsMethod(verifier: verifier)
        table[.health] = HealthMethod(startedAt: startedAt,
                                      poolReport: { (keys.hasKeysForEveryPool, keys.poolStatuses()) })
        return Dispatcher(table)
    }

    /// Serves until SIGTERM or SIGINT, drains in-flight work (SPEC §3), then returns.
    /// The server starts at once; Health says not-ready until the first keys arrive.
    public func run() async throws {
        if config.tls == nil && config.allowPlaintext && !ServiceConfig.isLoopback(config.listenHost) {
            logger.warning("serving PLAINTEXT on a non-loopback address: tokens and passwords cross the network readable",
                           metadata: ["listen": "\(config.listenHost):\(config.listenPort)",
                                      "because": "\(ServiceConfig.Key.allowPlaintext)=1"])
        }
        // Shut down in reverse: the server drains first, then the reloader and the key refresh stop.
        var members: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: keys)]
        if let tls { members.append(.init(service: TLSReloader(tls: tls))) }
        members.append(.init(service: server))
        let services = ServiceGroup(
            configuration: .init(
                services: members,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await services.run()
        // The server has drained; calls still running are failed and their handles freed.
        transport.shutdown()
        try await group.shutdownGracefully()
    }
}
