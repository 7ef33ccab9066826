public import Wire

/// A token whose steps 1-5 passed: its signature is good under a key its issuer publishes.
/// Immutable; it is what the verified-token cache stores, holding exactly what steps 6-9
/// need so a cache hit re-checks them without parsing (SPEC §6 "re-applies steps 6-9").
final class VerifiedToken: Sendable {
    /// The answer, prebuilt once.
    let claims: Claims
    /// The VerifyToken answer serialized once; nil when the token was first verified for
    /// CheckGroups, whose answers differ per request.
    let answer: EncodedVerifyTokenResponse?
    let expiresAt: Int64?
    let notBefore: Int64?
    let issuedAt: Int64?
    /// For step 8: the accepted app client named by `aud` (id token) or `client_id`
    /// (access token); nil when none is.
    let audience: String?
    /// For step 9.
    let scopes: [String]

    /// The key that verified the signature, so a cached token stops verifying when its
    /// key is withdrawn from the JWKS.
    let keys: JWKSCache
    let kid: String
    let key: RSAPublicKey
    let keyGeneration: UInt64

    init(jwt: JWT, clientIDs: [String], keys: JWKSCache, kid: String, key: RSAPublicKey, keyGeneration: UInt64,
         encodeAnswer: Bool = false) {
        let c = jwt.claims
        let use: TokenUse = c.tokenUse == "id" ? .id : c.tokenUse == "access" ? .access : .any
        let audience = (use == .access ? c.clientIDIndex : c.audienceIndex).map { clientIDs[$0] }
        var claims = Claims()
        claims.sub = c.subject ?? ""
        claims.username = (use == .access ? c.username ?? c.cognitoUsername : c.cognitoUsername ?? c.username) ?? ""
        claims.email = c.email ?? ""
        claims.emailVerified = c.emailVerified
        claims.groups = c.groups
        claims.tokenUse = use
        // The accepted client (an `aud` array may hold several); a token naming none fails step 8.
        claims.clientID = audience ?? ""
        claims.scopes = c.scopes
        claims.issuer = keys.issuer  // `iss` matched this string exactly (step 3)
        claims.issuedAt = c.issuedAt ?? 0
        claims.expiresAt = c.expiresAt ?? 0
        claims.authTime = c.authTime ?? 0
        claims.jti = c.jti ?? ""
        claims.originJTI = c.originJTI ?? ""
        claims.payloadJSON = jwt.payloadJSON
        self.claims = claims
        self.answer = encodeAnswer ? EncodedVerifyTokenResponse(VerifyTokenResponse(claims: claims)) : nil
        self.expiresAt = c.expiresAt
        self.notBefore = c.notBefore
        self.issuedAt = c.issuedAt
        self.audience = audience
        self.scopes = claims.scopes
        self.keys = keys
        self.kid = kid
        self.key = key
        self.keyGeneration = keyGeneration
    }

    /// Steps 6-9 against the current time and this request, in order. jwt-kit style: one
    /// small check per claim, run in sequence, the first failure wins.
    func checkClaims(now: Int64, leeway: Int64, clientIDs: [String], tokenUse: TokenUse,
                     requiredScopes: [String]) -> VerificationError? {
        if let e = checkTime(now: now, leeway: leeway) { return e }
        if let e = checkTokenUse(tokenUse) { return e }
        if let e = checkAudience(clientIDs) { return e }
        return checkScopes(requiredScopes)
    }

    /// SPEC §6 step 6. Expired at `exp` itself (RFC 7519 §4.1.4: "on or after"); a token
    /// without `exp` is treated as expired — it must not be valid forever.
    func checkTime(now: Int64, leeway: Int64) -> VerificationError? {
        guard let exp = expiresAt else { return VerificationError(.tokenExpired, "token has no exp claim") }
        if now >= exp &+ leeway { return VerificationError(.tokenExpired, "token has expired") }
        if let nbf = notBefore, nbf > now &+ leeway { return VerificationError(.tokenNotYetValid, "token is not valid yet (nbf)") }
        if let iat = issuedAt, iat > now &+ leeway { return VerificationError(.tokenNotYetValid, "token is issued in the future (iat)") }
        return nil
    }

    /// SPEC §6 step 7.
    func checkTokenUse(_ wanted: TokenUse) -> VerificationError? {
        let use = claims.tokenUse
        if use == .any { return VerificationError(.wrongTokenUse, "token_use must be \"id\" or \"access\"") }
        if wanted != .any && wanted != use {
            return VerificationError(.wrongTokenUse, wanted == .id ? "an id token is required" : "an access token is required")
        }
        return nil
    }

    /// SPEC §6 step 8: `aud` for id tokens, `client_id` for access tokens.
    func checkAudience(_ clientIDs: [String]) -> VerificationError? {
        if let audience, clientIDs.contains(audience) { return nil }
        return VerificationError(.wrongAudience, claims.tokenUse == .access
            ? "token client_id is not an accepted app client" : "token aud is not an accepted app client")
    }

    /// SPEC §6 step 9. Names the first missing scope (the caller asked for it; not token text).
    func checkScopes(_ required: [String]) -> VerificationError? {
        for scope in required where !scopes.contains(scope) {
            return VerificationError(.missingScope, "token lacks required scope \"\(scope)\"")
        }
        return nil
    }

    /// Whether this cached verification still stands for key-trust reasons (the key may
    /// have been withdrawn by a JWKS refresh since).
    var keyStillTrusted: Bool { keys.stillTrusts(key, kid: kid, generation: keyGeneration) }
}
