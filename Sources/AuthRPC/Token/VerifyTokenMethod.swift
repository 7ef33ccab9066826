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
        @Sendable func answer(_ result: Result<VerifiedToken, VerificationError>) -> Response {
            switch result {
            case .success(let verified):
                if let encoded = verified.answer { return Response(id: id, body: .verifyTokenEncoded(encoded)) }
                return Response(id: id, body: .verifyToken(VerifyTokenResponse(claims: verified.claims)))
            case .failure(let error):
                return error.response(id: id)
            }
        }
        return verifier.reply(to: body.token, tokenUse: body.tokenUse, requiredScopes: body.requiredScopes,
                              encodeAnswer: true, on: eventLoop, answer)
    }
}

extension TokenVerifier {
    /// Verifies `token` and turns the outcome into a `Reply`: `.now` for every token whose
    /// kid is known and for every failure; `.later` only while the issuer's keys are being
    /// refetched for an unknown kid, answered when that shared fetch ends. The request's
    /// deadline is the connection's business: it races every `.later` answer against
    /// `deadline_ms` (ConnectionHandler), so it is not repeated here.
    func reply(to token: String, tokenUse: TokenUse, requiredScopes: [String] = [], encodeAnswer: Bool = false,
               on eventLoop: any EventLoop,
               _ answer: @escaping @Sendable (Result<VerifiedToken, VerificationError>) -> Response) -> Reply {
        @Sendable func respond(_ outcome: Outcome) -> Response {
            switch outcome {
            case .verified(let token): answer(.success(token))
            case .failed(let error): answer(.failure(error))
            case .awaitingKeys: answer(.failure(Self.unknownKey))
            }
        }
        let outcome = verify(token, tokenUse: tokenUse, requiredScopes: requiredScopes, encodeAnswer: encodeAnswer)
        guard case .awaitingKeys(let fetch) = outcome else { return .now(respond(outcome)) }
        let promise = eventLoop.makePromise(of: Response.self)
        Task { [self] in
            promise.succeed(respond(await verify(token, after: fetch, tokenUse: tokenUse,
                                                 requiredScopes: requiredScopes, encodeAnswer: encodeAnswer)))
        }
        return .later(promise.futureResult)
    }
}
