public import Logging
public import NIOCore
public import Wire

/// The access log (a `CallInterceptor`, SPEC §9): one `info` line, labelled
/// `authrpc.access`, per answered request with the fields of `RequestLogFields`.
/// `AUTHRPC_ACCESS_LOG` says which: `failures` (the default: every answer that is not
/// `OK`, so a burst of `BadSignature` shows at the default level), `all`, or `off` (no
/// interceptor at all).
///
/// A successful request under `failures` costs one comparison here; only the lines that
/// are written pay for formatting (and a failing token for its hash).
public final class AccessLog: CallInterceptor {
    private let logger: Logger
    private let successes: Bool

    /// `logger` is used as given: `accessLogger(like:)` makes the usual one.
    public init(logger: Logger, mode: ServiceConfig.AccessLogMode) {
        self.logger = logger
        self.successes = mode == .all
    }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        if answer.status == .ok && !successes { return }
        logger.info("access", metadata: RequestLogFields.metadata(call, answer: answer, duration: duration))
    }

    /// The access log's logger: `AUTHRPC_ACCESS_LOG` decides what is written, so it logs
    /// at `info` even when the service's level is higher (and at the service's level when
    /// that is lower, like every logger).
    public static func accessLogger(like logger: Logger) -> Logger {
        var access = Logger(label: "authrpc.access")
        access.logLevel = min(logger.logLevel, .info)
        return access
    }
}
