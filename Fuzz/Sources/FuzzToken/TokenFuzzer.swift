// libFuzzer target `token` (docs/FUZZING.md): the VerifyToken / CheckGroups path of
// SPEC §6 with real keys, in two modes chosen by the first byte.
//
// - Raw (first byte not 0x00): the input is a token. `JWT(token:)` parses its bytes as
//   they are, then `TokenVerifier.verify` runs all nine steps, the RSA check included,
//   so only tokens signed with the fixed fuzz keys (Fuzz/corpus/token) get past step 5.
// - Signed (0x00, flags, header JSON, 0x00, payload JSON; without the second 0x00 the
//   rest is the payload under a usual header): the fuzzer's header and payload are
//   signed with a fixed key, so mutations reach the claim checks (steps 6-9), the
//   verified-token cache, the claims answer and the group rules.
//
// Checks: no crash, leak or hang; an accepted token satisfies what steps 3-9 promise;
// its claims agree with Foundation's reading of the same payload; a cache hit answers
// like a fresh verification; the pre-encoded VerifyToken answer holds the same claims.
import AuthRPC
import Foundation
import FuzzSupport
@testable import TokenVerification

@main enum Main {
    static func main() {
        if let directory = ProcessInfo.processInfo.environment["FUZZ_TOKEN_WRITE_SEEDS"] {
            Seeds.write(to: directory)
            exit(0)
        }
        _ = Fixture.shared  // key import and the first JWKS fetch, before the first input
        runLibFuzzer(fuzzToken)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToken(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    if input.first == 0 {
        signedMode(input.dropFirst())
    } else {
        rawMode(input)
    }
    return 0
}

// MARK: the verifier under test

/// Two pools with one key each, the client ids, and a clock stopped at `Fixture.now`.
enum Pools {
    static let now: Int64 = 1_760_000_000
    static let issuerA = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FuzzPoolA"
    static let issuerB = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_FuzzPoolB"
    static let clientIDs = ["4fuzz5client6id7", "secondclient"]
    static let scope = "aws.cognito.signin.user.admin"
}

/// Serves pool A's JWKS (key 1) and pool B's (key 2) from memory.
struct MemoryJWKS: JWKSFetcher {
    func fetchJWKS(url: String, timeout: Duration, maxBytes: Int) async -> Result<[UInt8], JWKSFetchFailure> {
        let key = url.hasSuffix("/a") ? FuzzKey.first : FuzzKey.second
        return .success(Array(#"{"keys":[\#(key.jwkJSON)]}"#.utf8))
    }
}

final class Fixture: Sendable {
    static let shared = Fixture()

    let registry: JWKSRegistry
    /// No verified-token cache: each input is judged on its own.
    let plain: TokenVerifier
    /// With a small cache, to compare hits with fresh verifications.
    let cached: TokenVerifier
    let expected: TokenClaims.Expected

    private init() {
        let pools = [
            TrustedPool(issuer: Pools.issuerA, jwksURL: "https://jwks.invalid/a"),
            TrustedPool(issuer: Pools.issuerB, jwksURL: "https://jwks.invalid/b"),
        ]
        var settings = TokenVerifier.Settings(clientIDs: Pools.clientIDs)
        // The monotonic clock never moves, so an unknown kid never refetches: every
        // input sees the same keys and the outcome depends on the input alone.
        let clock = VerifierClock(unixSeconds: { Pools.now }, monotonic: { .seconds(1000) })
        let registry = JWKSRegistry(pools: pools, fetcher: MemoryJWKS(), minRefresh: .seconds(3600),
                                    refresh: .seconds(3600), clock: clock)
        blockingAwait {
            await registry.start()
            await registry.shutdown()  // no background refresh thread; the keys stay
        }
        guard registry.hasKeysForEveryPool else { fatalError("fuzz JWKS did not load") }
        self.registry = registry
        settings.cacheEntries = 0
        plain = TokenVerifier(settings: settings, keys: registry, clock: clock)
        settings.cacheEntries = 64
        cached = TokenVerifier(settings: settings, keys: registry, clock: clock)
        expected = TokenClaims.Expected(issuers: [Pools.issuerA, Pools.issuerB], clientIDs: Pools.clientIDs)
    }
}

// MARK: modes

func rawMode(_ input: UnsafeBufferPointer<UInt8>) {
    let fixture = Fixture.shared
    // The parser on the bytes as they are (the server only ever passes valid UTF-8).
    _ = try? JWT(token: UnsafeRawBufferPointer(input), expected: fixture.expected)

    let token = String(decoding: input, as: UTF8.self)
    let outcome = fixture.plain.verify(token)
    if case .verified(let verified) = outcome {
        checkAccepted(verified, token: token, tokenUse: nil, requiredScopes: [])
        // The same token asked for each use, with and without the Cognito scope.
        for use in [TokenKind.id, .access] {
            if case .verified(let again) = fixture.plain.verify(token, tokenUse: use, requiredScopes: [Pools.scope]) {
                checkAccepted(again, token: token, tokenUse: use, requiredScopes: [Pools.scope])
            }
        }
    }
}

/// Flags byte of the signed mode.
struct Flags {
    let raw: UInt8
    var tokenUse: TokenKind? { [nil, TokenKind.id, .access, nil][Int(raw & 3)] }
    var requiredScopes: [String] { raw & 4 != 0 ? [Pools.scope] : [] }
    /// Sign with pool B's key (the header's kid still decides which key verifies).
    var secondKey: Bool { raw & 8 != 0 }
    /// Flip a bit of the signature: must be BadSignature (or fail earlier).
    var corruptSignature: Bool { raw & 16 != 0 }
    /// Through the caching verifier, twice.
    var throughCache: Bool { raw & 32 != 0 }
    /// With VerifyToken's answer serialized once (`VerifiedToken.prepareEncodedAnswer`).
    var prepare: VerifiedToken.Preparation? { raw & 64 != 0 ? VerifiedToken.prepareEncodedAnswer : nil }
}

func signedMode(_ rest: Slice<UnsafeBufferPointer<UInt8>>) {
    guard let flagsByte = rest.first else { return }
    let flags = Flags(raw: flagsByte)
    let body = rest.dropFirst()
    let header: ArraySlice<UInt8>, payload: ArraySlice<UInt8>
    if let separator = body.firstIndex(of: 0) {
        header = ArraySlice(body[..<separator])
        payload = ArraySlice(body[(separator + 1)...])
    } else {
        header = ArraySlice(#"{"kid":"\#(flags.secondKey ? FuzzKey.second.kid : FuzzKey.first.kid)","alg":"RS256"}"#.utf8)
        payload = ArraySlice(body)
    }
    let signingInput = base64URL(header) + "." + base64URL(payload)
    var signature = (flags.secondKey ? FuzzKey.second : FuzzKey.first).sign(Array(signingInput.utf8))
    if flags.corruptSignature { signature[signature.count / 2] ^= 0x20 }
    let token = signingInput + "." + base64URL(signature)

    let fixture = Fixture.shared
    let verifier = flags.throughCache ? fixture.cached : fixture.plain
    let outcome = verifier.verify(token, tokenUse: flags.tokenUse, requiredScopes: flags.requiredScopes,
                                  prepare: flags.prepare)
    if flags.corruptSignature, case .verified = outcome { fatalError("a token with a corrupted signature verified") }
    if flags.throughCache {
        // The second time is a cache hit when the first verified (and had not expired).
        let again = verifier.verify(token, tokenUse: flags.tokenUse, requiredScopes: flags.requiredScopes,
                                    prepare: flags.prepare)
        check(summary(outcome) == summary(again),
              "cache hit differs from first verification: \(summary(outcome)) then \(summary(again))")
    }
    if case .verified(let verified) = outcome {
        checkAccepted(verified, token: token, tokenUse: flags.tokenUse, requiredScopes: flags.requiredScopes)
        if let answer = verified.answer {
            check(answer.claims == verified.claims, "pre-encoded answer holds other claims than `claims`")
        }
        checkGroupRules(verified.claims.groups, seed: flagsByte)
    }
}

// MARK: oracles

/// What an outcome says, comparable: the claims, or the error type.
func summary(_ outcome: TokenVerifier.Outcome) -> String {
    switch outcome {
    case .verified(let token): "verified \(token.claims)"
    case .failed(let error): "failed \(error.errorType)"
    case .awaitingKeys: "awaitingKeys"
    }
}

/// What SPEC §6 steps 3-9 guarantee of an accepted token, and the claims as Foundation's
/// JSON parser reads the same payload.
func checkAccepted(_ verified: VerifiedToken, token: String, tokenUse: TokenKind?, requiredScopes: [String]) {
    let claims = verified.claims
    check([Pools.issuerA, Pools.issuerB].contains(claims.issuer), "accepted issuer \(claims.issuer)")
    check(Pools.clientIDs.contains(claims.clientID), "accepted client \(claims.clientID)")
    check(claims.tokenUse == .id || claims.tokenUse == .access, "accepted token_use \(claims.tokenUse)")
    check(tokenUse == nil || claims.tokenUse == tokenUse, "asked for \(tokenUse), accepted \(claims.tokenUse)")
    check(claims.expiresAt > Pools.now, "accepted a token expiring at \(claims.expiresAt)")
    for scope in requiredScopes {
        check(claims.scopes.contains(scope), "accepted without required scope \(scope); scopes \(claims.scopes)")
    }

    // The payload as Foundation reads it. Only where Foundation parses it and the claim has
    // the plain shape: the two parsers need not agree on what either rejects.
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    check(parts.count == 3, "accepted a token of \(parts.count) parts")
    guard let payload = base64URLDecode(parts[1]),
          let json = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any] else { return }
    check(claims.payloadJSON.utf8.elementsEqual(payload), "payloadJSON is not the payload")
    if let iss = json["iss"] as? String { check(iss == claims.issuer, "iss \(iss.debugDescription) read as \(claims.issuer.debugDescription)") }
    if let sub = json["sub"] as? String { check(sub == claims.subject, "sub \(sub.debugDescription) read as \(claims.subject.debugDescription)") }
    if let email = json["email"] as? String {
        check(email == claims.email, "email \(email.debugDescription) read as \(claims.email.debugDescription)")
    }
    if let use = json["token_use"] as? String { check(use == (claims.tokenUse == .id ? "id" : "access"), "token_use \(use)") }
    if let groups = json["cognito:groups"] as? [String] {
        check(groups == claims.groups, "cognito:groups \(groups) read as \(claims.groups)")
    }
    if let exp = json["exp"] as? NSNumber, exp.doubleValue == exp.doubleValue.rounded(), abs(exp.doubleValue) < 1e15 {
        check(Int64(exp.doubleValue) == claims.expiresAt, "exp \(exp) read as \(claims.expiresAt)")
    }
}

/// CheckGroups' rules over the accepted groups: what `evaluate` matches is in the user's
/// groups and in allowed or required; a prohibited group present always fails.
func checkGroupRules(_ groups: [String], seed: UInt8) {
    let names = groups + ["admins", "staff"]
    let pick = { (bit: Int) in names.enumerated().filter { ($0.offset + bit + Int(seed)) % 3 == 0 }.map(\.element) }
    let rules = GroupRules(allowed: pick(0), required: pick(1).prefix(1).map { $0 }, prohibited: pick(2).suffix(1).map { $0 })
    switch rules.evaluate(userGroups: groups) {
    case .success(let matched):
        check(matched.allSatisfy { groups.contains($0) && (rules.allowed.contains($0) || rules.required.contains($0)) },
              "matched groups \(matched) for rules \(rules) and groups \(groups)")
        check(!rules.prohibited.contains(where: groups.contains), "a prohibited group passed")
    case .failure(let error):
        check(error.kind == .groupCheckFailed, "group rules failed with \(error.errorType)")
    }
}

func base64URLDecode(_ text: Substring) -> [UInt8]? {
    var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while s.count % 4 != 0 { s += "=" }
    return Data(base64Encoded: s).map { [UInt8]($0) }
}
