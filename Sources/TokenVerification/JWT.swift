#if canImport(Glibc)
import Glibc
#endif

/// A compact JWS (RFC 7515 §7.1) split and decoded, *not yet trusted*: SPEC §6 step 1.
/// The header is read as `JWTHeader` describes; the payload as `TokenClaims`.
struct JWT {
    let header: JWTHeader
    let claims: TokenClaims
    /// The decoded payload, returned to callers as `payload_json`. Bytes, not a `String`:
    /// the JSON reader has checked them (UTF-8 included), and a `String` would validate
    /// them again on every new token (5% of one's CPU over TCP, measured with perf).
    let payload: [UInt8]
    let signature: [UInt8]
    /// Length of `header.payload`, the signed bytes: a prefix of the token.
    let signingInputCount: Int

    /// Parses `token` (its UTF-8 bytes). The size limit is the caller's (it knows the config).
    init(token: UnsafeRawBufferPointer, expected: TokenClaims.Expected = TokenClaims.Expected()) throws(VerificationError) {
        let threeParts = VerificationError(.malformedToken, "token is not three base64url parts")
        // The first two dots. A third one, in the signature part, is caught when that part
        // is decoded (a dot is not base64url), without scanning the signature twice.
        guard let base = token.baseAddress,
              let dot1 = memchr(base, Int32(UInt8(ascii: ".")), token.count)
        else { throw threeParts }
        let firstDot = base.distance(to: UnsafeRawPointer(dot1))
        guard let dot2 = memchr(base + firstDot + 1, Int32(UInt8(ascii: ".")), token.count - firstDot - 1) else { throw threeParts }
        let secondDot = base.distance(to: UnsafeRawPointer(dot2))

        let headerPart = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payloadPart = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let badBase64 = VerificationError(.malformedToken, "token part is not valid base64url")
        let signaturePart = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        guard let headerCount = Base64URL.decodedCount(headerPart.count),
              let payloadCount = Base64URL.decodedCount(payloadPart.count)
        else { throw badBase64 }
        guard let signature = Base64URL.decode(signaturePart) else {
            throw signaturePart.contains(UInt8(ascii: ".")) ? threeParts : badBase64
        }

        // The header: usually one this thread has seen (JWTHeaderMemo); otherwise decoded
        // into scratch space (on the stack when small) and parsed there.
        let memo = JWTHeaderMemo.current()
        let header: JWTHeader
        if let known = memo?.lookup(headerPart) {
            header = known
        } else {
            let parsed = withUnsafeTemporaryAllocation(byteCount: max(headerCount, 1), alignment: 1) { scratch in
                let decoded = UnsafeMutableRawBufferPointer(rebasing: scratch[..<headerCount])
                return Base64URL.decode(headerPart, into: decoded) ? JWTHeader.parse(UnsafeRawBufferPointer(decoded)) : nil
            }
            switch parsed {
            case nil:
                throw badBase64
            case .failure(let malformed)?:
                throw VerificationError(.malformedToken, "token header is not a JSON object (\(malformed.reason))")
            case .success(let fresh)?:
                header = fresh
                memo?.remember(headerPart, fresh)
            }
        }
        // The payload is decoded straight into the bytes kept as `payload_json` and parsed
        // there (strictly, UTF-8 included).
        var claims = TokenClaims()
        var malformed: JSONReader.Malformed?
        var decoded = false
        let payload = [UInt8](unsafeUninitializedCapacity: payloadCount) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            count = 0
            guard Base64URL.decode(payloadPart, into: raw) else { return }
            decoded = true
            count = payloadCount
            do throws(JSONReader.Malformed) {
                try claims.parse(json: UnsafeRawBufferPointer(raw), expected: expected)
            } catch {
                malformed = error
            }
        }
        guard decoded else { throw badBase64 }
        if let malformed {
            throw VerificationError(.malformedToken, "token payload is not a JSON object of claims (\(malformed.reason))")
        }
        self.header = header
        self.claims = claims
        self.payload = payload
        self.signature = signature
        self.signingInputCount = secondDot
    }
}
