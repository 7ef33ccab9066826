/// Local verification of Cognito tokens: the nine checks of SPEC §6, in order, with the
/// JWKS registry for keys and the verified-token cache for repeats. Shared by every
/// connection; `verify` is synchronous and takes no lock, so it can run on an event loop,
/// and it writes no memory another thread writes: each thread verifies with its own
/// share of the cache, its own counters and its own view of the keys (`VerifierThreads`,
/// docs/DESIGN.md "Multi-core").
public final class TokenVerifier: Sendable {
    /// What one synchronous attempt produced.
    public enum Outcome: Sendable {
        /// The token passed every check. Its `claims` are made on first use; its `answer`
        /// is the one `prepare` made when the token was first verified, so repeats can
        /// send it as is.
        case verified(VerifiedToken)
        case failed(VerificationError)
        /// The token's `kid` is not (yet) known and a JWKS fetch is under way: finish with
        /// `verify(_:after:…)`, which waits for that fetch and verifies once more.
        case awaitingKeys(Task<Void, Never>)
    }

    /// What a verifier is told (SPEC §7): the accepted app clients and the limits.
    public struct Settings: Sendable {
        /// Accepted `aud` (id tokens) / `client_id` (access tokens) values.
        public var clientIDs: [String]
        public var maxTokenBytes = 16384
        public var clockLeewaySeconds: Int64 = 0
        /// Verified-token cache bounds, for all threads together; 0 entries turns the cache off.
        public var cacheEntries = 100_000
        public var cacheBytes = 64 << 20
        /// How many threads verify: each has a cache of its own with this share of
        /// `cacheEntries` and `cacheBytes`, and a thread beyond this many verifies without
        /// one. The server sets it to its event-loop count; by default one per processor.
        public var cacheThreads = VerifierThreads.processors

        public init(clientIDs: [String]) { self.clientIDs = clientIDs }
    }

    public let keys: JWKSRegistry
    private let maxTokenBytes: Int
    private let leeway: Int64
    private let clock: VerifierClock
    /// Each thread's cache share, counters, configured strings and key views.
    let threads: VerifierThreads

    public init(settings: Settings, keys: JWKSRegistry, clock: VerifierClock = .system) {
        self.keys = keys
        self.maxTokenBytes = settings.maxTokenBytes
        self.leeway = settings.clockLeewaySeconds
        self.clock = clock
        self.threads = VerifierThreads(registry: keys, clientIDs: settings.clientIDs, entries: settings.cacheEntries,
                                       bytes: settings.cacheBytes, shares: settings.cacheThreads)
    }

    deinit { threads.retire() }

    /// Verifies `token` without waiting for anything. `.awaitingKeys` only for an unknown
    /// kid while a (rate-limited, shared) JWKS refetch runs (SPEC §6 step 4).
    /// `tokenUse` nil: either kind. `prepare`, when given, makes the answer kept with a
    /// token verified for the first time (`VerifiedToken.answer`).
    public func verify(_ token: String, tokenUse: TokenKind? = nil, requiredScopes: [String] = [],
                       prepare: VerifiedToken.Preparation? = nil) -> Outcome {
        verify(token, tokenUse: tokenUse, requiredScopes: requiredScopes, mayRefetch: true, prepare: prepare)
    }

    /// The whole verification, waiting for one JWKS refetch if the kid is unknown. Used by
    /// tests and callers that are already async.
    public func verifyWaitingForKeys(_ token: String, tokenUse: TokenKind? = nil,
                                     requiredScopes: [String] = []) async -> Result<VerifiedClaims, VerificationError> {
        var outcome = verify(token, tokenUse: tokenUse, requiredScopes: requiredScopes)
        if case .awaitingKeys(let fetch) = outcome {
            outcome = await verify(token, after: fetch, tokenUse: tokenUse, requiredScopes: requiredScopes)
        }
        switch outcome {
        case .verified(let token): return .success(token.claims)
        case .failed(let error): return .failure(error)
        case .awaitingKeys: return .failure(Self.unknownKey)
        }
    }

    /// After `.awaitingKeys(fetch)`: waits for that shared fetch, then verifies once more
    /// without starting another; a kid still unknown is `UnknownKey`, so the outcome is
    /// never `.awaitingKeys`. The `.later` path of the method handlers.
    public func verify(_ token: String, after fetch: Task<Void, Never>, tokenUse: TokenKind? = nil,
                       requiredScopes: [String] = [], prepare: VerifiedToken.Preparation? = nil) async -> Outcome {
        await fetch.value
        return verifyAfterRefetch(token, tokenUse: tokenUse, requiredScopes: requiredScopes, prepare: prepare)
    }

    /// Once the refetch of `.awaitingKeys` has ended: verifies without starting another, so
    /// a kid still unknown is `UnknownKey` and the outcome is never `.awaitingKeys`. For a
    /// caller that waited for the fetch itself and came back to the thread it verifies on.
    public func verifyAfterRefetch(_ token: String, tokenUse: TokenKind? = nil, requiredScopes: [String] = [],
                                   prepare: VerifiedToken.Preparation? = nil) -> Outcome {
        let outcome = verify(token, tokenUse: tokenUse, requiredScopes: requiredScopes, mayRefetch: false,
                             prepare: prepare)
        if case .awaitingKeys = outcome { return .failed(Self.unknownKey) }
        return outcome
    }

    /// Entries in the verified-token cache, every thread's share together, and the bytes
    /// they are counted as.
    public var cacheUsage: (entries: Int, bytes: Int) { threads.usage }

    /// Verified-token cache lookups that found the token, and those that did not (then the
    /// token is verified in full), summed over the threads; both 0 with the cache off.
    /// Read when metrics are scraped.
    public var cacheCounts: (hits: Int, misses: Int) { threads.counts }

    public static let unknownKey = VerificationError(.unknownKey, "token is signed with a key its issuer does not publish")

    func verify(_ token: String, tokenUse: TokenKind?, requiredScopes: [String], mayRefetch: Bool,
                prepare: VerifiedToken.Preparation? = nil) -> Outcome {
        var copy = token  // shares storage; `withUTF8` only copies a non-contiguous (bridged) string
        return copy.withUTF8 { bytes in
            check(UnsafeRawBufferPointer(bytes), tokenUse: tokenUse, requiredScopes: requiredScopes,
                  mayRefetch: mayRefetch, prepare: prepare)
        }
    }

    /// `verify(_:…)` of a token given as its bytes, which are read during the call only (a
    /// token kept in the verified-token cache is copied): a token still in its request's
    /// frame is verified without being copied.
    public func verify(bytes: UnsafeRawBufferPointer, tokenUse: TokenKind? = nil, requiredScopes: [String] = [],
                       prepare: VerifiedToken.Preparation? = nil) -> Outcome {
        check(bytes, tokenUse: tokenUse, requiredScopes: requiredScopes, mayRefetch: true, prepare: prepare)
    }

    private func check(_ bytes: UnsafeRawBufferPointer, tokenUse: TokenKind?, requiredScopes: [String],
                       mayRefetch: Bool, prepare: VerifiedToken.Preparation?) -> Outcome {
        threads.withCurrent { local in
            check(bytes, local: local, tokenUse: tokenUse, requiredScopes: requiredScopes,
                  mayRefetch: mayRefetch, prepare: prepare)
        }
    }

    /// The pipeline, with the calling thread's state.
    @inline(__always)
    private func check(_ bytes: UnsafeRawBufferPointer, local: VerifierThreadState, tokenUse: TokenKind?,
                       requiredScopes: [String], mayRefetch: Bool, prepare: VerifiedToken.Preparation?) -> Outcome {
        let now = clock.unixSeconds()

        // Repeat token: steps 1-5 held when it was cached; re-check the key and steps 6-9.
        var hash: UInt64 = 0
        if threads.caching {
            if let cache = local.cache {
                hash = cache.hash(bytes)
                if let hit = cache.lookup(bytes, hash: hash) {
                    local.countHit()
                    if local.stillTrusts(hit) {
                        // Past exp the entry goes (step 6 below then answers TokenExpired).
                        if hit.checkTime(now: now, leeway: leeway)?.kind == .tokenExpired { cache.remove(bytes, hash: hash) }
                        return finish(hit, now: now, clientIDs: local.clientIDs, tokenUse: tokenUse,
                                      requiredScopes: requiredScopes)
                    }
                    // Its key was withdrawn by a JWKS refresh: verify from scratch below.
                    cache.remove(bytes, hash: hash)
                } else {
                    local.countMiss()
                }
            } else {
                local.countMiss()
            }
        }

        // Step 1: size, three base64url parts, JSON header and payload.
        guard bytes.count <= maxTokenBytes else {
            return .failed(VerificationError(.malformedToken, "token is longer than \(maxTokenBytes) bytes"))
        }
        let jwt: JWT
        do { jwt = try JWT(token: bytes, expected: local.expected) } catch { return .failed(error) }

        // Step 2: RS256 only, whatever else the header says; kid required.
        guard jwt.header.algorithm == "RS256" else {
            return .failed(VerificationError(.unsupportedAlgorithm, "only RS256 tokens are accepted"))
        }
        guard let kid = jwt.header.keyID else { return .failed(VerificationError(.malformedToken, "token header has no kid")) }
        guard !jwt.header.hasCriticalExtensions else {
            return .failed(VerificationError(.malformedToken, "token header demands extensions (crit) this service does not support"))
        }

        // Step 3: an issuer we are configured for, exact string; its keys, never the token's.
        guard let issuer = jwt.claims.issuer, let pool = local.pool(issuer: issuer) else {
            return .failed(VerificationError(.wrongIssuer, "token issuer is not a configured user pool"))
        }

        // Step 4: the kid must be published by that issuer; else one shared, rate-limited refetch.
        pool.update()
        guard let keyIndex = pool.keyIndex(kid) else {
            if mayRefetch, let fetch = pool.cache.refreshForUnknownKey() { return .awaitingKeys(fetch) }
            return .failed(Self.unknownKey)
        }

        // Step 5: the signature over `header.payload`.
        let signingInput = UnsafeRawBufferPointer(rebasing: bytes[..<jwt.signingInputCount])
        let signatureOK = jwt.signature.withUnsafeBytes { pool.verify(key: keyIndex, signature: $0, message: signingInput) }
        guard signatureOK else { return .failed(VerificationError(.badSignature, "token signature does not verify")) }

        let verified = VerifiedToken(jwt: jwt, issuer: pool.issuer, poolIndex: pool.index, kid: kid,
                                     keySerial: pool.serial(ofKey: keyIndex), keyGeneration: pool.generation,
                                     prepare: prepare)
        // Cache only what can be served later: a token not yet expired.
        if let cache = local.cache, verified.checkTime(now: now, leeway: leeway)?.kind != .tokenExpired {
            cache.insert(bytes, hash: hash, verified)
        }
        // Steps 6-9.
        return finish(verified, now: now, clientIDs: local.clientIDs, tokenUse: tokenUse, requiredScopes: requiredScopes)
    }

    @inline(__always)
    private func finish(_ token: VerifiedToken, now: Int64, clientIDs: [String], tokenUse: TokenKind?,
                        requiredScopes: [String]) -> Outcome {
        if let error = token.checkClaims(now: now, leeway: leeway, clientIDs: clientIDs, tokenUse: tokenUse,
                                         requiredScopes: requiredScopes) {
            return .failed(error)
        }
        return .verified(token)
    }
}
