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
}
