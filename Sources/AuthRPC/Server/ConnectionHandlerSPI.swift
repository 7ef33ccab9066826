public import Logging
public import NIOCore

/// The server's connection handler for code that drives it without a socket: the
/// allocation benchmarks (`benchmarks/allocs`) put it on an `EmbeddedChannel` and count
/// what a request costs through it. SPI rather than API: the handler and its limits stay
/// the module's own.
@_spi(Benchmarks)
public enum ServerConnectionHandler {
    /// A handler as the server adds one per connection, with the default limits (SPEC §3).
    /// `background` takes its rate-limited warnings' summaries, as the server's does.
    public static func make(dispatcher: Dispatcher, maxFrameBytes: Int = 65536, logger: Logger,
                            background: BackgroundWork) -> any ChannelHandler {
        ConnectionHandler(dispatcher: dispatcher,
                          limits: ConnectionLimits(maxInFlight: 1024, idleTimeout: .seconds(300)),
                          maxFrameBytes: maxFrameBytes, logger: logger,
                          warnings: RateLimitedWarnings(logger: logger, background: background))
    }
}
