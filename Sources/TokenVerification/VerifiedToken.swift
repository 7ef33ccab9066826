import Synchronization

/// A token whose steps 1-5 passed: its signature is good under a key its issuer publishes.
/// Immutable; it is what the verified-token cache stores, holding exactly what steps 6-9
/// need so a cache hit re-checks them without parsing (SPEC §6 "re-applies steps 6-9").
///
/// The answer's `Claims` are made from the payload on first use and then kept: a check
/// that only needs pass/fail (or a cached answer already serialized) never pays for the
/// dozen Strings (docs/BENCHMARKS.md).
public final class VerifiedToken: Sendable {
    /// The verified payload, `payload_json` of the answer; `parsed` points into its bytes.
    /// Dropped when a prepared answer holds it (the cache would keep it twice): claims
    /// then come from the answer, and the scope check from `scope`.
    private let payload: [UInt8]?
    let parsed: TokenClaims
    /// `scope` (step 9), as text of its own when the payload is not kept.
    private let scope: ClaimText?
    /// `iss`, which matched this configured string exactly (step 3).
    let issuer: String
    /// For step 8: the accepted app client named by `aud` (id token) or `client_id`
    /// (access token); nil when none is.
    let audience: String?
    /// The answer the service prepared when the token was first verified (`prepare`);
    /// nil when it was first verified without one (say for CheckGroups, whose answers
    /// differ per request): then `attach` may add one later.
    private let preparedAnswer: (any PreparedAnswer)?
    /// An answer attached after verification; owned (retained) here, released in deinit.
    private let attached = Atomic<Unmanaged<AttachedAnswer>?>(nil)

    private final class AttachedAnswer: Sendable {
        let answer: any PreparedAnswer
        init(_ answer: any PreparedAnswer) { self.answer = answer }
    }

    /// The key that verified the signature, so a cached token stops verifying when its
    /// key is withdrawn from the JWKS (`VerifierThreadState.stillTrusts`): its pool's
    /// index in the registry, its kid, its serial and the generation of the keys it was
    /// found in. Numbers, not the shared key and pool objects: a token made on one thread
    /// then writes no reference count every thread writes.
    let poolIndex: Int
    let kid: String
    let keySerial: UInt64
    let keyGeneration: UInt64

    /// `claims`, once made; owned (retained) here and released in deinit.
    private let made = Atomic<Unmanaged<MadeClaims>?>(nil)

    private final class MadeClaims: Sendable {
        let claims: VerifiedClaims
        init(_ claims: VerifiedClaims) { self.claims = claims }
    }

    /// `issuer`: the configured string `iss` matched.
    init(jwt: JWT, issuer: String, poolIndex: Int, kid: String, keySerial: UInt64, keyGeneration: UInt64,
         prepare: Preparation? = nil) {
        let c = jwt.claims
        self.parsed = c
        self.issuer = issuer
        self.audience = c.tokenUse == .access ? c.clientID : c.audience
        self.poolIndex = poolIndex
        self.kid = kid
        self.keySerial = keySerial
        self.keyGeneration = keyGeneration
        if let prepare {
            // The claims are not kept: the prepared answer is what repeats need, and a
            // cache entry holding both would pay for the claims twice. It is made from the
            // payload's bytes, without the claims' Strings (`ClaimPositions`).
            let (issuer, audience) = (self.issuer, self.audience)
            self.preparedAnswer = jwt.payload.withUnsafeBytes { payload in
                prepare(ClaimPositions(c, payload: payload, issuer: issuer, audience: audience))
            }
        } else {
            self.preparedAnswer = nil
        }
        if preparedAnswer != nil {
            self.payload = nil
            self.scope = jwt.payload.withUnsafeBytes { payload in c.scope.map { .unescaped($0.string(in: payload)) } }
        } else {
            self.payload = jwt.payload
            self.scope = c.scope
        }
        self.footprint = Self.fixedFootprint + (payload?.count ?? 0) + (scope == nil ? 0 : 64)
            + (preparedAnswer?.byteCount ?? 0)
    }

    /// Makes the service's answer from the claims of a token verified for the first time,
    /// where they lie in its payload (valid only during the call).
    public typealias Preparation = @Sendable (ClaimPositions) -> (any PreparedAnswer)?

    /// Calls `body` with the answer's claims where they lie in the payload; nil when the
    /// payload is no longer kept (a prepared answer holds the claims then: `answer`).
    public func withClaimPositions<R>(_ body: (ClaimPositions) -> R) -> R? {
        guard let payload else { return nil }
        return payload.withUnsafeBytes { payload in
            body(ClaimPositions(parsed, payload: payload, issuer: issuer, audience: audience))
        }
    }

    deinit {
        made.load(ordering: .acquiring)?.release()
        attached.load(ordering: .acquiring)?.release()
    }

    /// The prepared answer, if any: made when the token was first verified, or attached since.
    public var answer: (any PreparedAnswer)? {
        if let preparedAnswer { return preparedAnswer }
        return attached.load(ordering: .acquiring)?.takeUnretainedValue().answer
    }

    /// Keeps `make`'s answer with this token for its repeats, unless one is there already;
    /// returns the answer kept. For a token first verified without one. Two threads
    /// attaching at once both make one; one is kept. The memory bound of the cache counts
    /// what the token held when it was cached, not an answer attached later.
    public func attach(_ make: () -> (any PreparedAnswer)?) -> (any PreparedAnswer)? {
        if let existing = answer { return existing }
        guard let made = make() else { return nil }
        let fresh = Unmanaged.passRetained(AttachedAnswer(made))
        let (stored, kept) = attached.compareExchange(expected: nil, desired: fresh, ordering: .acquiringAndReleasing)
        if stored { return made }
        fresh.release()
        return kept!.takeUnretainedValue().answer
    }

    /// What this object costs in memory, for the verified-token cache's byte bound: the
    /// payload and the serialized answer, plus a fixed part for the object, its claim
    /// positions and allocator overhead (measured: docs/BENCHMARKS.md). Claims made on
    /// demand for CheckGroups are not counted; they are about the payload's size again.
    let footprint: Int

    static let fixedFootprint = 800

    /// The answer's claims (SPEC §4), made on first use. Two threads asking at once may
    /// both make them; one result is kept, the other dropped.
    public var claims: VerifiedClaims {
        if let kept = made.load(ordering: .acquiring) { return kept.takeUnretainedValue().claims }
        let claims = if let payload {
            payload.withUnsafeBytes { Self.makeClaims(parsed, payload: $0, issuer: issuer, audience: audience) }
        } else {
            preparedAnswer?.claims ?? VerifiedClaims()
        }
        let fresh = Unmanaged.passRetained(MadeClaims(claims))
        let (stored, kept) = made.compareExchange(expected: nil, desired: fresh, ordering: .acquiringAndReleasing)
        if stored { return fresh.takeUnretainedValue().claims }
        fresh.release()
        return kept!.takeUnretainedValue().claims
    }

    static func makeClaims(_ c: TokenClaims, payload: UnsafeRawBufferPointer, issuer: String, audience: String?) -> VerifiedClaims {
        var claims = VerifiedClaims()
        claims.subject = c.subject?.string(in: payload) ?? ""
        // Access tokens name the user in `username`, id tokens in `cognito:username`.
        let name = c.tokenUse == .access ? c.username ?? c.cognitoUsername : c.cognitoUsername ?? c.username
        claims.username = name?.string(in: payload) ?? ""
        claims.email = c.email?.string(in: payload) ?? ""
        claims.emailVerified = c.emailVerified
        claims.groups = c.groups(in: payload)
        claims.tokenUse = c.tokenUse
        // The accepted client (an `aud` array may hold several); a token naming none fails step 8.
        claims.clientID = audience ?? ""
        claims.scopes = c.scope?.words(in: payload) ?? []
        claims.issuer = issuer
        claims.issuedAt = c.issuedAt ?? 0
        claims.expiresAt = c.expiresAt ?? 0
        claims.authTime = c.authTime ?? 0
        claims.jti = c.jti?.string(in: payload) ?? ""
        claims.originJTI = c.originJTI?.string(in: payload) ?? ""
        claims.payloadJSON = String(decoding: payload, as: UTF8.self)
        return claims
    }

    /// Steps 6-9 against the current time and this request, in order. jwt-kit style: one
    /// small check per claim, run in sequence, the first failure wins.
    func checkClaims(now: Int64, leeway: Int64, clientIDs: [String], tokenUse: TokenKind?,
                     requiredScopes: [String]) -> VerificationError? {
        if let e = checkTime(now: now, leeway: leeway) { return e }
        if let e = checkTokenUse(tokenUse) { return e }
        if let e = checkAudience(clientIDs) { return e }
        return checkScopes(requiredScopes)
    }

    /// SPEC §6 step 6. Expired at `exp` itself (RFC 7519 §4.1.4: "on or after"); a token
    /// without `exp` is treated as expired — it must not be valid forever.
    func checkTime(now: Int64, leeway: Int64) -> VerificationError? {
        guard let exp = parsed.expiresAt else { return VerificationError(.tokenExpired, "token has no exp claim") }
        if now >= exp &+ leeway { return VerificationError(.tokenExpired, "token has expired") }
        if let nbf = parsed.notBefore, nbf > now &+ leeway {
            return VerificationError(.tokenNotYetValid, "token is not valid yet (nbf)")
        }
        if let iat = parsed.issuedAt, iat > now &+ leeway {
            return VerificationError(.tokenNotYetValid, "token is issued in the future (iat)")
        }
        return nil
    }

    /// SPEC §6 step 7.
    /// `wanted` nil: either kind.
    func checkTokenUse(_ wanted: TokenKind?) -> VerificationError? {
        guard let use = parsed.tokenUse else {
            return VerificationError(.wrongTokenUse, "token_use must be \"id\" or \"access\"")
        }
        if let wanted, wanted != use {
            return VerificationError(.wrongTokenUse, wanted == .id ? "an id token is required" : "an access token is required")
        }
        return nil
    }

    /// SPEC §6 step 8: `aud` for id tokens, `client_id` for access tokens.
    func checkAudience(_ clientIDs: [String]) -> VerificationError? {
        if let audience, clientIDs.contains(audience) { return nil }
        return VerificationError(.wrongAudience, parsed.tokenUse == .access
            ? "token client_id is not an accepted app client" : "token aud is not an accepted app client")
    }

    /// SPEC §6 step 9. Names the first missing scope (the caller asked for it; not token text).
    func checkScopes(_ required: [String]) -> VerificationError? {
        guard !required.isEmpty else { return nil }
        // With the payload dropped, `scope` is `.unescaped` and reads no payload bytes.
        let missing = (payload ?? []).withUnsafeBytes { payload in
            required.first { scope?.containsWord($0, in: payload) != true }
        }
        guard let missing else { return nil }
        return VerificationError(.missingScope, "token lacks required scope \"\(missing)\"")
    }
}
