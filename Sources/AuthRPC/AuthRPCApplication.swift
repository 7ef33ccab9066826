public import TokenVerification
public import CurlHTTP
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
    /// The listener's TLS context when TLS is configured, kept current by a `TLSReloader`.
    public let tls: ServerTLS?
    private let group: MultiThreadedEventLoopGroup
    /// One libcurl transport for the process: Cognito calls and JWKS fetches share its connections.
    private let transport: CurlHTTPTransport
    private let logger: Logger
    private let reloads: HangupReloads

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
        let gate = config.callerPolicy.map {
            CallerPolicyGate(policy: $0, path: config.policyFile, audit: Self.auditLogger(like: logger), logger: logger)
        }
        self.server = AuthRPCServer(config: config, dispatcher: dispatcher,
                                    interceptors: Self.interceptors(config: config, policy: gate, logger: logger),
                                    group: group, logger: logger, tls: tls)
        var reloads: [(name: String, run: HangupReloads.Reload)] = []
        if let gate { reloads.append(("caller policy", { gate.reload() })) }
        if let tls = self.tls { reloads.append(("TLS certificate and key", { tls.reload(force: true, reason: "SIGHUP") })) }
        self.reloads = HangupReloads(reloads, logger: logger)
    }

    /// What every request passes through, in order (`CallInterceptor`): the caller policy,
    /// then the rate limits (so a denied caller costs no tokens), then the access log.
    static func interceptors(config: ServiceConfig, policy: CallerPolicyGate?, logger: Logger) -> [any CallInterceptor] {
        var chain: [any CallInterceptor] = []
        if let policy { chain.append(policy) }
        chain.append(CallerLimits(signInRate: config.signInRate, callerRate: config.callerRate,
                                  cognitoBudget: config.cognitoMaxInFlight))
        chain.append(AccessLog(logger: logger))
        return chain
    }

    /// The audit log: the service's log, under its own label and at least `info`.
    static func auditLogger(like logger: Logger) -> Logger {
        var audit = Logger(label: "authrpc.audit")
        audit.logLevel = min(logger.logLevel, .info)
        return audit
    }

    /// The service serving every RPC of SPEC §4, behind its dispatcher.
    public static func methods(config: ServiceConfig, transport: any HTTPTransport, keys: JWKSRegistry,
                               logger: Logger, startedAt: ContinuousClock.Instant = .now) -> Dispatcher {
        let service = AuthRPCService(
            health: HealthMethod(startedAt: startedAt, poolReport: { (keys.hasKeysForEveryPool, keys.poolStatuses().map(PoolStatus.init)) }),
            verifier: TokenVerifier(config: config, keys: keys),
            cognito: CognitoClient(config: config, transport: transport, logger: logger))
        return Dispatcher(service: service)
    }

    /// Serves until SIGTERM or SIGINT, drains in-flight work (SPEC §3), then returns.
    /// The server starts at once; Health says not-ready until the first keys arrive.
    public func run() async throws {
        if config.tls == nil && config.allowPlaintext && !ServiceConfig.isLoopback(config.listenHost) {
            logger.warning("serving PLAINTEXT on a non-loopback address: tokens and passwords cross the network readable",
                           metadata: ["listen": "\(config.listenHost):\(config.listenPort)",
                                      "because": "\(ServiceConfig.Key.allowPlaintext)=1"])
        }
        // Shut down in reverse: the server drains first, then the reloaders and the key refresh stop.
        // SIGHUP is trapped once, by `reloads`, which also reloads TLS; `TLSReloader` polls the files.
        var members: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: keys), .init(service: reloads)]
        if let tls { members.append(.init(service: TLSReloader(tls: tls, trapSIGHUP: false))) }
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
