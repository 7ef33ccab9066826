public import Logging
import NIOCore
public import Wire

/// The access log (a `CallInterceptor`): one `debug` line per answered request with its
/// method, peer, caller, status, error type, duration and request id. Never a token, a
/// password or any other request field: those stay in the request.
///
/// When the logger is above `debug` a request costs one comparison here.
public struct AccessLog: CallInterceptor {
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        guard logger.logLevel <= .debug else { return }
        var metadata: Logger.Metadata = [
            "method": "\(call.method?.name ?? "unknown")",
            "request_id": "\(call.requestID)",
            "status": "\(answer.status)",
            "duration_us": "\(duration.nanoseconds / 1_000)",
        ]
        if !answer.errorType.isEmpty { metadata["error_type"] = "\(answer.errorType)" }
        if let peer = call.connection.peer { metadata["peer"] = "\(peer)" }
        if let caller = call.connection.caller?.name { metadata["caller"] = "\(caller)" }
        logger.debug("access", metadata: metadata)
    }
}
