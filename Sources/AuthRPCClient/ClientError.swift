import Wire

/// Why a call produced no `Response` of its own.
public enum AuthRPCClientError: Error, Sendable, Equatable {
    /// The connection closed before the answer arrived.
    case connectionClosed
    /// The server answered with id 0: it could not read a request at all
    /// (`MalformedRequest`, `FrameTooLarge`). Every call pending then fails with it.
    case connectionError(Response)
    /// The server sent bytes that are not a valid Response.
    case malformedResponse
    /// Two calls in flight used the same id.
    case duplicateID(UInt64)
    /// TLS with the server failed: the handshake, or the server refusing this client.
    case tls(TLSFailure)
    /// The TLS settings cannot be used (a file missing or not PEM, a key without a certificate).
    case tlsSetup(String)
    /// No answer within the call's timeout (the late answer, if any, is dropped).
    case timedOut
    /// No address accepted a connection in one round; why each failed.
    case unreachable(String)
    /// `AuthRPCClient.close()` was called.
    case clientClosed

    /// No server could be reached: worth a backoff and another round.
    var isUnreachable: Bool { if case .unreachable = self { true } else { false } }
}

extension AuthRPCClientError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionClosed: "the connection closed before the answer arrived"
        case .connectionError(let response): "the server could not read a request: \(response.status) \(response.errorType): \(response.message)"
        case .malformedResponse: "the server sent bytes that are not an authrpc Response"
        case .duplicateID(let id): "request id \(id) is already in flight on this connection"
        case .tls(let failure): "TLS: \(failure)"
        case .tlsSetup(let message): "TLS setup: \(message)"
        case .timedOut: "no answer within the call's timeout"
        case .unreachable(let reasons): "cannot connect: \(reasons)"
        case .clientClosed: "the client is closed"
        }
    }
}
