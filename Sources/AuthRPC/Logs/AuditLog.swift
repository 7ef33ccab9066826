public import Logging
public import NIOCore
public import Wire

/// The audit log (a `CallInterceptor`, SPEC §9), labelled `authrpc.audit`: one line for
/// every account operation (each method that calls Cognito: sign-up, sign-in, sign-out,
/// password and code flows), whatever its outcome and however it was answered (by
/// Cognito, by validation, by a limit), and one for every caller-policy denial, of any
/// method. Both carry the fields of `RequestLogFields`; `event` says which
/// (`account_operation`, `caller_denied`).
///
/// Written whatever `AUTHRPC_ACCESS_LOG` says: the audit trail is not an option. A
/// VerifyToken or CheckGroups that the policy lets through costs one lookup of
/// `callsCognito` and one comparison.
public final class AuditLog: CallInterceptor {
    private let logger: Logger

    /// `logger` is used as given: `auditLogger(like:)` makes the usual one.
    public init(logger: Logger) { self.logger = logger }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        if answer.status == .permissionDenied && answer.errorType == CallerPolicyGate.deniedErrorType {
            var metadata = RequestLogFields.metadata(call, answer: answer, duration: duration)
            metadata["event"] = "caller_denied"
            logger.notice("caller not allowed", metadata: metadata)
            return
        }
        guard let method = call.method, method.callsCognito else { return }
        var metadata = RequestLogFields.metadata(call, answer: answer, duration: duration)
        metadata["event"] = "account_operation"
        logger.info("account operation", metadata: metadata)
    }

    /// The audit log: the service's log, under its own label and at least `info`.
    public static func auditLogger(like logger: Logger) -> Logger {
        var audit = Logger(label: "authrpc.audit")
        audit.logLevel = min(logger.logLevel, .info)
        return audit
    }
}
