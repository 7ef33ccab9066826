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
}
