#if canImport(Glibc)
import Glibc
#endif

/// A compact JWS (RFC 7515 §7.1) split and decoded, *not yet trusted*: SPEC §6 step 1.
///
/// Only two header members are read: `alg` and `kid`. Everything else in the header —
/// notably `jwk`, `jku`, `x5u`, `x5c` — is validated as JSON and then ignored: a key or a
/// key URL supplied by the token would let the token vouch for itself (SPEC §6 step 2).
struct JWT {
    /// Header `alg`, nil when absent or not a string.
    let algorithm: String?
    /// Header `kid`, nil when absent or not a string.
    let keyID: String?
    /// Header `crit` present: the token demands extensions this verifier does not implement,
    /// so it must be refused (RFC 7515 §4.1.11).
    let hasCriticalExtensions: Bool
    let claims: TokenClaims
    /// The decoded payload text, returned to callers as `payload_json`.
    let payloadJSON: String
    let signature: [UInt8]
    /// Length of `header.payload`, the signed bytes: a prefix of the token.
    let signingInputCount: Int

    /// Parses `token` (its UTF-8 bytes). The size limit is the caller's (it knows the config).
    init(token: UnsafeRawBufferPointer, expected: TokenClaims.Expected = TokenClaims.Expected()) throws(VerificationError) {
        let threeParts = VerificationError(.malformedToken, "token is not three base64url parts")
        guard let base = token.baseAddress,
              let dot1 = memchr(base, Int32(UInt8(ascii: ".")), token.count)
        else { throw threeParts }
        let firstDot = base.distance(to: UnsafeRawPointer(dot1))
        guard let dot2 = memchr(base + firstDot + 1, Int32(UInt8(ascii: ".")), token.count - firstDot - 1) else { throw threeParts }
        let secondDot = base.distance(to: UnsafeRawPointer(dot2))
        guard memchr(base + secondDot + 1, Int32(UInt8(ascii: ".")), token.count - secondDot - 1) == nil else { throw threeParts }

        let headerPart = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payloadPart = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let badBase64 = VerificationError(.malformedToken, "token part is not valid base64url")
        guard let headerCount = Base64URL.decodedCount(headerPart.count),
              let payloadCount = Base64URL.decodedCount(payloadPart.count),
              let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...]))
        else { throw badBase64 }

        // Header and payload are decoded into scratch space (on the stack when small) and
        // parsed there; only the payload text is kept, as a String.
        let header = withUnsafeTemporaryAllocation(byteCount: max(headerCount, 1), alignment: 1) { scratch in
            let decoded = UnsafeMutableRawBufferPointer(rebasing: scratch[..<headerCount])
            return Base64URL.decode(headerPart, into: decoded) ? Self.parseHeader(UnsafeRawBufferPointer(decoded)) : nil
        }
        guard let header else { throw badBase64 }
        guard case .success(let (algorithm, keyID, critical)) = header else {
            throw VerificationError(.malformedToken, "token header is not a JSON object (\(Self.reason(header)))")
        }
        // The payload is decoded straight into the String returned as `payload_json` and
        // parsed there (strictly, UTF-8 included) before the String takes it.
        var claims = TokenClaims()
        var malformed: JSONReader.Malformed?
        var decoded = false
        let payloadJSON = String(unsafeUninitializedCapacity: payloadCount) { buffer in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            guard Base64URL.decode(payloadPart, into: raw) else { return 0 }
            decoded = true
            do throws(JSONReader.Malformed) {
                try claims.parse(json: UnsafeRawBufferPointer(raw), expected: expected)
            } catch {
                malformed = error
            }
            return payloadCount
        }
        guard decoded else { throw badBase64 }
        if let malformed {
            throw VerificationError(.malformedToken, "token payload is not a JSON object of claims (\(malformed.reason))")
        }
        self.algorithm = algorithm
        self.keyID = keyID
        self.hasCriticalExtensions = critical
        self.claims = claims
        self.payloadJSON = payloadJSON
        self.signature = signature
        self.signingInputCount = secondDot
    }

    private static func parseHeader(_ raw: UnsafeRawBufferPointer) -> Result<(String?, String?, Bool), JSONReader.Malformed> {
        var algorithm: String?, keyID: String?, critical = false
        var reader = JSONReader(raw)
        do {
            try reader.readObject { key, r throws(JSONReader.Malformed) in
                if key.matches("alg") {
                    if try r.peekKind() == .string { algorithm = try r.readString() } else { try r.skipValue() }
                } else if key.matches("kid") {
                    if try r.peekKind() == .string { keyID = try r.readString() } else { try r.skipValue() }
                } else if key.matches("crit") {
                    critical = true
                    try r.skipValue()
                } else {
                    try r.skipValue()
                }
            }
            try reader.finish()
        } catch {
            return .failure(error)
        }
        return .success((algorithm, keyID, critical))
    }

    private static func reason<T>(_ result: Result<T, JSONReader.Malformed>) -> String {
        if case .failure(let e) = result { return "\(e.reason)" }
        return ""
    }
}
