public import Logging
public import ServiceLifecycle
import UnixSignals

/// SIGHUP, the usual "read your files again" (SPEC §8: the caller policy, the TLS
/// certificate and key): a `Service` that runs each registered reload on every SIGHUP
/// until graceful shutdown. A reload that fails keeps what is in force and logs why;
/// it never stops the server.
public final class HangupReloads: Service, Sendable {
    public typealias Reload = @Sendable () -> Void
    private let reloads: [(name: String, run: Reload)]
    private let logger: Logger

    public init(_ reloads: [(name: String, run: Reload)], logger: Logger) {
        self.reloads = reloads
        self.logger = logger
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                self.logger.info("SIGHUP: reloading", metadata: ["what": "\(self.reloads.map(\.name).joined(separator: ", "))"])
                for reload in self.reloads { reload.run() }
            }
        }
    }
}
