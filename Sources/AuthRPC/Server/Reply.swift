import NIOCore
import Wire

/// What the dispatcher hands back to the connection: an answer computed on the spot
/// (the VerifyToken hot path never leaves the event loop) or one that will arrive
/// later (Cognito calls, a JWKS refetch). Keeping the immediate case free of
/// futures saves an allocation and a hop per request.
public enum Reply: Sendable {
    case now(Response)
    case later(EventLoopFuture<Response>)
}

/// A method's typed answer, `.now` or `.later` in the same sense as `Reply`.
public enum MethodReply<Success: Sendable>: Sendable {
    case now(MethodResult<Success>)
    case later(EventLoopFuture<MethodResult<Success>>)

    public static func success(_ value: Success) -> Self { .now(.success(value)) }
    public static func failure(_ error: RPCError) -> Self { .now(.failure(error)) }
}

/// A method's result: its response, or an error. An error may carry the response body
/// too where the contract gives it one (Health answers UNAVAILABLE/NotReady with its
/// report, SPEC §6).
public enum MethodResult<Success: Sendable>: Sendable {
    case success(Success)
    case failure(RPCError, body: Success? = nil)
}

/// A failed answer's SPEC §4 fields: a status, a stable `error_type` programs match on,
/// a message for people (safe to log, never a secret), and when a retry makes sense.
public struct RPCError: Error, Sendable, Equatable {
    public var status: Status
    public var errorType: String
    public var message: String
    public var retryAfterMs: UInt32

    public init(_ status: Status, errorType: String, message: String, retryAfterMs: UInt32 = 0) {
        self.status = status; self.errorType = errorType; self.message = message; self.retryAfterMs = retryAfterMs
    }
}

/// What a method knows about its request besides the typed body.
public struct RequestContext: Sendable {
    /// Echoed in the answer by the dispatcher; methods use it for logs.
    public var requestID: UInt64
    /// SPEC §3: 0 means none. The connection races every `.later` answer against it;
    /// methods use it to bound their own work (a Cognito call's budget).
    public var deadlineMs: UInt32
    public var method: Method
    /// The connection's event loop, where the method is called.
    public var eventLoop: any EventLoop

    public init(requestID: UInt64, deadlineMs: UInt32 = 0, method: Method, eventLoop: any EventLoop) {
        self.requestID = requestID; self.deadlineMs = deadlineMs; self.method = method; self.eventLoop = eventLoop
    }
}

extension Reply {
    /// A method's typed answer as the `Response` for request `id`; `body` puts a success
    /// into its `Response.Body` member. Inlined into the dispatcher's switch, so that on the
    /// `.now` path the answer is built straight into the `Response`.
    @inline(__always)
    init<Success: Sendable>(_ reply: MethodReply<Success>, id: UInt64, _ body: @escaping @Sendable (Success) -> Response.Body) {
        switch reply {
        case .now(let outcome):
            self = .now(Response(outcome, id: id, body))
        case .later(let future):
            self = .later(future.map { Response($0, id: id, body) })
        }
    }
}

extension Response {
    @inline(__always)
    init<Success: Sendable>(_ outcome: MethodResult<Success>, id: UInt64, _ body: (Success) -> Response.Body) {
        switch outcome {
        case .success(let value):
            self.init(id: id, body: body(value))
        case .failure(let error, let value):
            self.init(id: id, status: error.status, message: error.message, errorType: error.errorType,
                      retryAfterMs: error.retryAfterMs, body: value.map(body))
        }
    }
}
