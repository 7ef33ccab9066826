public import NIOCore
public import Wire

/// VerifyToken (SPEC §4, §6). Answers `.now` on the event loop for every token whose kid
/// is known (and for every failure); only an unknown kid with a refetch under way goes
/// `.later`, resolved when that shared fetch ends.
public struct VerifyTokenMethod: MethodHandler {
    public let verifier: TokenVerifier

    public init(verifier: TokenVerifier) { self.verifier = verifier }

    public func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .verifyToken(let body)? = request.body else {
            return .now(.failure(id: request.id, .invalidArgument, errorType: "MalformedRequest",
                                 message: "verify_token handler got another request type"))
        }
        let id = request.id
        @Sendable func answer(_ result: Result<Claims, VerificationError>) -> Response {
            switch result {
            case .success(let claims): Response(id: id, body: .verifyToken(VerifyTokenResponse(claims: claims)))
            case .failure(let error): error.response(id: id)
            }
        }
        switch verifier.verify(body.token, tokenUse: body.tokenUse, requiredScopes: body.requiredScopes) {
        case .verified(let claims): return .now(answer(.success(claims)))
        case .failed(let error): return .now(answer(.failure(error)))
        case .awaitingKeys(let fetch):
            return .later(afterKeyRefresh(request, on: eventLoop) { [verifier] in
                answer(await verifier.verify(body.token, after: fetch, tokenUse: body.tokenUse,
                                             requiredScopes: body.requiredScopes))
            })
        }
    }
}

/// Runs `work` (which waits for a JWKS fetch) off the event loop and completes a future
/// on `eventLoop`. The request's deadline is the connection's business: it races every
/// `.later` answer against `deadline_ms` (ConnectionHandler), so it is not repeated here.
func afterKeyRefresh(_ request: Request, on eventLoop: any EventLoop,
                     _ work: @escaping @Sendable () async -> Response) -> EventLoopFuture<Response> {
    let promise = eventLoop.makePromise(of: Response.self)
    Task { promise.succeed(await work()) }
    return promise.futureResult
}
