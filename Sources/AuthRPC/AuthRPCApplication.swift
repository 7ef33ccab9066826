import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Wire

/// Wires the service together from a validated configuration: the event loops,
/// the method table, the server, and whatever runs in the background. The
/// executable only loads configuration and calls `run()`.
public final class AuthRPCApplication: Sendable {
    public let config: ServiceConfig
    public let server: AuthRPCServer
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger

    public init(config: ServiceConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        let threads = config.threads > 0 ? config.threads : System.coreCount
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let startedAt = ContinuousClock.now

        var dispatcher = Dispatcher()
        dispatcher[.health] = HealthMethod(startedAt: startedAt)
        self.server = AuthRPCServer(config: config, dispatcher: dispatcher, group: group, logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, drains in-flight work (SPEC §3), then returns.
    public func run() async throws {
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await services.run()
        try await group.shutdownGracefully()
    }
}
