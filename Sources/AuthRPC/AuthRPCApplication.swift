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
    /// SPEC §9: every metric, on a registry of this application's own.
    public let metrics: ServiceMetrics
    /// The admin listener; nil when `AUTHRPC_ADMIN_LISTEN` is empty.
    public let admin: AdminServer?
    private let services: ServiceGroup

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
        // Requests are counted only where someone can read the counts.
        let metrics = ServiceMetrics(recordRequests: config.metricsEnabled && config.adminListen != nil)
        self.metrics = metrics
        let verifier = TokenVerifier(config: config, keys: keys)
        let background = BackgroundWork()
        let cognito = CognitoClient(config: config, transport: transport, logger: logger, metrics: metrics,
                                    background: background)
        let dispatcher = Self.methods(keys: keys, verifier: verifier, cognito: cognito, version: BuildInfo.healthVersion)
        let gate = config.callerPolicy.map {
            CallerPolicyGate(policy: $0, path: config.policyFile, logger: logger)
        }
        self.server = AuthRPCServer(config: config, dispatcher: dispatcher,
                                    interceptors: Self.interceptors(config: config, policy: gate, logger: logger,
                                                                    metrics: metrics),
                                    group: group, logger: logger, tls: tls, background: background)
        var reloads: [(name: String, run: HangupReloads.Reload)] = []
        if let gate { reloads.append(("caller policy", { gate.reload() })) }
        if let tls = self.tls { reloads.append(("TLS certificate and key", { tls.reload(force: true, reason: "SIGHUP") })) }
        self.reloads = HangupReloads(reloads, logger: logger)

        let server = self.server, keys = self.keys
        var sources = MetricsEndpoint.Sources()
        sources.connectionsOpen = { server.connectionCount }
        sources.connectionTotals = { server.connectionTotals }
        sources.verifier = verifier
        sources.keys = keys
        sources.cognitoInflight = { cognito.inFlight }
        let endpoint = MetricsEndpoint(metrics: metrics, sources: sources)
        let group = self.group
        self.admin = config.adminListen.map { listen in
            AdminServer(host: listen.host, port: listen.port,
                        routes: .init(metrics: { endpoint.render() },
                                      notReadyReason: { AuthRPCApplication.notReadyReason(server: server, keys: keys) }),
                        group: group, logger: logger)
        }
        // Shut down in reverse: the server drains first while the admin listener still
        // answers /readyz with 503, then the admin listener, then the key refreshes, and
        // last the background work, which nothing is waiting for by then.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: background), .init(service: keys)]
        // An admin port that cannot be bound stops start-up, as the RPC port does: the
        // rest shuts down gracefully and `run` throws.
        if let admin { services.append(.init(service: admin, failureTerminationBehavior: .gracefullyShutdownGroup)) }
        // SIGHUP is trapped once, by `reloads`, which also reloads TLS; `TLSReloader` polls the files.
        services.append(.init(service: self.reloads))
        if let tls = self.tls { services.append(.init(service: TLSReloader(tls: tls, trapSIGHUP: false))) }
        services.append(.init(service: server))
        self.services = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// `/readyz` (SPEC §9): nil when every pool has keys and the server is not draining.
    static func notReadyReason(server: AuthRPCServer, keys: JWKSRegistry) -> String? {
        if server.isDraining { return "draining: the server is shutting down" }
        let waiting = keys.caches.filter { $0.keyCount == 0 }.map(\.issuer)
        if !waiting.isEmpty { return "no signing keys yet for \(waiting.joined(separator: ", "))" }
        return nil
    }

    /// What every request passes through, in order (`CallInterceptor`): the request
    /// metrics, the caller policy, then the rate limits (so a denied caller costs no
    /// tokens), then the audit and access logs (SPEC §9), which only look at answers.
    /// Request metrics come first, so they see every request that was decoded.
    static func interceptors(config: ServiceConfig, policy: CallerPolicyGate?, logger: Logger,
                             metrics: ServiceMetrics? = nil) -> [any CallInterceptor] {
        var chain: [any CallInterceptor] = []
        if let requests = metrics?.requests { chain.append(requests) }
        if let policy { chain.append(policy) }
        chain.append(CallerLimits(signInRate: config.signInRate, callerRate: config.callerRate,
                                  cognitoBudget: config.cognitoMaxInFlight, refusals: metrics?.rateLimited))
        chain.append(AuditLog(logger: AuditLog.auditLogger(like: logger)))
        if config.accessLog != .off {
            chain.append(AccessLog(logger: AccessLog.accessLogger(like: logger), mode: config.accessLog))
        }
        return chain
    }

    /// The service serving every RPC of SPEC §4, behind its dispatcher.
    public static func methods(config: ServiceConfig, transport: any HTTPTransport, keys: JWKSRegistry,
                               logger: Logger, background: BackgroundWork,
                               startedAt: ContinuousClock.Instant = .now) -> Dispatcher {
        methods(keys: keys, verifier: TokenVerifier(config: config, keys: keys),
                cognito: CognitoClient(config: config, transport: transport, logger: logger, background: background),
                startedAt: startedAt)
    }

    static func methods(keys: JWKSRegistry, verifier: TokenVerifier, cognito: CognitoClient,
                        version: String = AuthRPCVersion.current, startedAt: ContinuousClock.Instant = .now) -> Dispatcher {
        let service = AuthRPCService(
            health: HealthMethod(version: version, startedAt: startedAt,
                                 poolReport: { (keys.hasKeysForEveryPool, keys.poolStatuses().map(PoolStatus.init)) }),
            verifier: verifier, cognito: cognito)
        return Dispatcher(service: service)
    }

    /// What SIGTERM does, for a caller that runs the application in process.
    public func triggerGracefulShutdown() async {
        await services.triggerGracefulShutdown()
    }

    /// Serves until SIGTERM or SIGINT (or `triggerGracefulShutdown`), drains in-flight work (SPEC §3), then returns.
    /// The server starts at once; Health says not-ready until the first keys arrive.
    public func run() async throws {
        if config.tls == nil && config.allowPlaintext && !ServiceConfig.isLoopback(config.listenHost) {
            logger.warning("serving PLAINTEXT on a non-loopback address: tokens and passwords cross the network readable",
                           metadata: ["listen": "\(config.listenHost):\(config.listenPort)",
                                      "because": "\(ServiceConfig.Key.allowPlaintext)=1"])
        }
        try await services.run()
        // The server has drained; calls still running are failed and their handles freed.
        transport.shutdown()
        try await group.shutdownGracefully()
    }
}
