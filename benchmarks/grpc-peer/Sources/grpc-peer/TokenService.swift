import GRPCCore
import TokenVerification
import VerifyProto

typealias VerifyTokenRequest = Authrpc_Bench_V1_VerifyTokenRequest
typealias VerifyTokenResponse = Authrpc_Bench_V1_VerifyTokenResponse

/// VerifyToken as grpc-swift-2 serves it: the generated simple-service protocol, one
/// `async` method, authrpc's verifier inside. Failures are `RPCError`s carrying
/// authrpc's `error_type` in the metadata key `error-type`.
struct TokenService: Authrpc_Bench_V1_TokenService.SimpleServiceProtocol {
    let verifier: TokenVerifier

    func verifyToken(request: VerifyTokenRequest, context: ServerContext) async throws -> VerifyTokenResponse {
        let outcome = await verifier.verifyForPeer(request.token, tokenUse: request.tokenUse.kind,
                                                   requiredScopes: request.requiredScopes, prepare: ProtoAnswer.prepare)
        switch outcome {
        case .verified(let token):
            // A repeat sends the message built when the token was first verified, as
            // authrpc sends the bytes it serialized then; the gRPC serializer still runs.
            if let kept = token.answer as? ProtoAnswer { return kept.response }
            return VerifyTokenResponse.with { $0.claims = Authrpc_Bench_V1_Claims(token.claims) }
        case .failed(let error):
            throw RPCError(code: error.kind == .missingScope ? .permissionDenied : .unauthenticated,
                           message: error.message, metadata: ["error-type": .string(error.errorType)])
        case .awaitingKeys:
            throw RPCError(code: .unauthenticated, message: TokenVerifier.unknownKey.message,
                           metadata: ["error-type": .string(TokenVerifier.unknownKey.errorType)])
        }
    }
}

/// The answer kept with a verified token in the verified-token cache.
final class ProtoAnswer: PreparedAnswer {
    let response: VerifyTokenResponse
    let claims: VerifiedClaims
    let byteCount: Int

    init(_ claims: VerifiedClaims) {
        self.claims = claims
        self.response = VerifyTokenResponse.with { $0.claims = Authrpc_Bench_V1_Claims(claims) }
        self.byteCount = 2 * claims.payloadJSON.utf8.count + 512
    }

    @Sendable static func prepare(_ claims: ClaimPositions) -> (any PreparedAnswer)? { ProtoAnswer(claims.verifiedClaims) }
}

extension Authrpc_Bench_V1_Claims {
    init(_ v: VerifiedClaims) {
        self.init()
        sub = v.subject
        username = v.username
        email = v.email
        emailVerified = v.emailVerified
        groups = v.groups
        tokenUse = switch v.tokenUse {
        case .id: .id
        case .access: .access
        case nil: .any
        }
        clientID = v.clientID
        scopes = v.scopes
        issuer = v.issuer
        issuedAt = v.issuedAt
        expiresAt = v.expiresAt
        authTime = v.authTime
        jti = v.jti
        originJti = v.originJTI
        payloadJson = v.payloadJSON
    }
}

extension Authrpc_Bench_V1_TokenUse {
    var kind: TokenKind? {
        switch self {
        case .id: .id
        case .access: .access
        default: nil
        }
    }
}
