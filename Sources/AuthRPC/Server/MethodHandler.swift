import NIOCore
import Wire

/// What a method hands back to the connection: an answer computed on the spot
/// (the VerifyToken hot path never leaves the event loop) or one that will arrive
/// later (Cognito calls, a JWKS refetch). Keeping the immediate case free of
/// futures saves an allocation and a hop per request.
public enum Reply: Sendable {
    case now(Response)
    case later(EventLoopFuture<Response>)
}

/// One RPC of SPEC §4. `handle` runs on the connection's event loop and must not
/// block it: slow work goes elsewhere and comes back as `.later`.
public protocol MethodHandler: Sendable {
    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply
    /// The same, for a handler that needs to know which connection asked (its peer, or
    /// the mTLS caller). The dispatcher calls this one; by default it is `handle(_:on:)`.
    func handle(_ request: Request, connection: ConnectionInfo, on eventLoop: any EventLoop) -> Reply
}

extension MethodHandler {
    public func handle(_ request: Request, connection: ConnectionInfo, on eventLoop: any EventLoop) -> Reply {
        handle(request, on: eventLoop)
    }
}
