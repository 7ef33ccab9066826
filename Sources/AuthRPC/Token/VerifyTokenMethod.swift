public import TokenVerification
import NIOCore
public import Wire

extension AuthRPCService {
    /// VerifyToken (SPEC §4, §6). Answers `.now` on the event loop for every token whose kid
    /// is known (and for every failure); only an unknown kid with a refetch under way goes
    /// `.later`, resolved when that shared fetch ends. A repeat token's answer comes as the
    /// bytes serialized when it was first verified (`VerifyTokenAnswer.encoded`).
    public func verifyToken(_ request: VerifyTokenRequest, context: RequestContext) -> MethodReply<VerifyTokenAnswer> {
        verifier.reply(to: request.token, tokenUse: request.tokenUse, requiredScopes: request.requiredScopes,
                       prepare: EncodedVerifyTokenAnswer.prepare, on: context.eventLoop, background: background) { result in
            switch result {
            case .success(let verified):
                // Serialized once: when the token was first verified here, or now for a token
                // CheckGroups verified first.
                let prepared = verified.answer ?? verified.attach {
                    verified.withClaimPositions(EncodedVerifyTokenAnswer.prepare) ?? nil
                }
                if let prepared, let ours = EncodedVerifyTokenAnswer.from(prepared) { return .success(.encoded(ours.encoded)) }
                return .success(.value(VerifyTokenResponse(claims: Claims(verified.claims))))
            case .failure(let error):
                return .failure(error.rpcError)
            }
        }
    }
}

extension TokenVerifier {
    /// Verifies `token` and turns the outcome into a `MethodReply`: `.now` for every token
    /// whose kid is known and for every failure; `.later` only while the issuer's keys are
    /// being refetched for an unknown kid, answered when that shared fetch ends — verified
    /// then back on `eventLoop`, so only event loops ever verify and each uses its own
    /// share of the verified-token cache (`TokenVerifier.Settings.cacheThreads`). The
    /// request's deadline is the connection's business: it races every `.later` answer
    /// against `deadline_ms` (ConnectionHandler), so it is not repeated here.
    func reply<Success: Sendable>(
        to token: TokenBytes, tokenUse: TokenUse, requiredScopes: [String] = [],
        prepare: VerifiedToken.Preparation? = nil,
        on eventLoop: any EventLoop, background: BackgroundWork,
        _ answer: @escaping @Sendable (Result<VerifiedToken, VerificationError>) -> MethodResult<Success>
    ) -> MethodReply<Success> {
        @Sendable func respond(_ outcome: Outcome) -> MethodResult<Success> {
            switch outcome {
            case .verified(let token): answer(.success(token))
            case .failed(let error): answer(.failure(error))
            case .awaitingKeys: answer(.failure(Self.unknownKey))
            }
        }
        let outcome = token.withUnsafeBytes {
            verify(bytes: $0, tokenUse: tokenUse.kind, requiredScopes: requiredScopes, prepare: prepare)
        }
        guard case .awaitingKeys(let fetch) = outcome else { return .now(respond(outcome)) }
        // Waiting for the issuer's keys (rare): the token outlives the frame as a String.
        let token = token.string
        let promise = eventLoop.makePromise(of: MethodResult<Success>.self)
        let waiting = background.submit { [self] in
            await fetch.value
            promise.completeWith(eventLoop.submit {
                respond(self.verifyAfterRefetch(token, tokenUse: tokenUse.kind, requiredScopes: requiredScopes,
                                                prepare: prepare))
            })
        }
        if !waiting { promise.succeed(respond(outcome)) }
        return .later(promise.futureResult)
    }
}
