public import Logging
public import NIOCore
import TokenVerification
public import Wire

/// The fields of one answered request that the access and audit lines share (SPEC §9):
/// method, request id, status, error type, duration, peer, caller (when TLS named one),
/// trace and parent id (when the request carried a valid `traceparent`) and the token's
/// fingerprint (when it carried a token).
///
/// Nothing a request says in free text is here: no username, password, code, session,
/// secret or token, and no `Response.message` (which may repeat Cognito's words). The
/// error type is one of a fixed set of names or a Cognito exception name, which the
/// Cognito client accepts only as 1-64 letters and digits.
public enum RequestLogFields {
    public static func metadata(_ call: Call, answer: Response, duration: TimeAmount) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(call.method?.rpcName ?? "unknown")",
            "request_id": "\(call.requestID)",
            "status": "\(answer.status.protoName)",
            "duration_us": "\(duration.nanoseconds / 1_000)",
            "peer": "\(call.connection.peerDescription)",
        ]
        if !answer.errorType.isEmpty { metadata["error_type"] = "\(answer.errorType)" }
        if let caller = call.connection.caller?.name { metadata["caller"] = "\(caller)" }
        if !call.traceparent.isEmpty, let trace = TraceContext(call.traceparent) {
            metadata["trace_id"] = "\(trace.traceID)"
            metadata["parent_id"] = "\(trace.parentID)"
        }
        if !call.token.isEmpty { metadata["token_sha256"] = "\(call.token.withUnsafeBytes(TokenFingerprint.of(bytes:)))" }
        return metadata
    }
}
