import TokenVerification
import Wire

/// A verified token's claims as the wire encoder reads them: VerifyToken's answer for a
/// new token is written straight from the payload's bytes (`EncodedVerifyTokenResponse
/// .init(claims:)`), with the field semantics of `Claims.init(_: VerifiedClaims)`.
struct ClaimsAnswerSource: ClaimsFieldSource {
    let claims: ClaimPositions

    func withBytes<R>(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch member {
        case .sub: claims.withBytes(of: .subject, body)
        case .username: claims.withBytes(of: .username, body)
        case .email: claims.withBytes(of: .email, body)
        case .clientID: claims.withBytes(of: .clientID, body)
        case .issuer: claims.withBytes(of: .issuer, body)
        case .jti: claims.withBytes(of: .jti, body)
        case .originJTI: claims.withBytes(of: .originJTI, body)
        case .payloadJSON: claims.withBytes(of: .payloadJSON, body)
        case .emailVerified, .groups, .tokenUse, .scopes, .issuedAt, .expiresAt, .authTime:
            body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    func forEachElement(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> Void) {
        switch member {
        case .groups: claims.forEach(in: .groups, body)
        case .scopes: claims.forEach(in: .scopes, body)
        default: break
        }
    }

    func flag(_ member: ClaimsMember) -> Bool { member == .emailVerified && claims.emailVerified }

    func integer(_ member: ClaimsMember) -> Int64 {
        switch member {
        case .tokenUse: Int64(TokenUse(claims.tokenUse).rawValue)
        case .issuedAt: claims.issuedAt
        case .expiresAt: claims.expiresAt
        case .authTime: claims.authTime
        default: 0
        }
    }
}
