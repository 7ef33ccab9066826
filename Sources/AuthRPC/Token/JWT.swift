#if canImport(Glibc)
import Glibc
#endif

/// A compact JWS (RFC 7515 §7.1) split and decoded, *not yet trusted*: SPEC §6 step 1.
/// The header is read as `JWTHeader` describes; the payload as `TokenClaims`.
struct JWT {
    let header: JWTHeader
    let claims: TokenClaims
    /// The decoded payload text, returned to callers as `payload_json`.
    let payloadJSON: String
    let signature: [UInt8]
    /// Length of `header.payload`, the signed bytes: a prefix of the token.
    let signingInputCount: Int

    /// Parses `token` (its UTF-8 bytes). The size limit is the caller's (it knows the config).
    init(token: UnsafeRawBufferPointer, expected: TokenClaims.Expected = TokenClaims.Expected()) throws(VerificationError) {
        let threeParts = VerificationError(.malformedToken, "token is not three base64url parts")
        // The first dot from the front and the last from the back: the short header and
        // signature are scanned, not the long payload. A dot inside the payload part is
        // caught when it is decoded (a dot is not base64url).
        guard let base = token.baseAddress,
              let dot1 = memchr(base, Int32(UInt8(ascii: ".")), token.count),
              let secondDot = Self.lastDot(in: token)
        else { throw threeParts }
        let firstDot = base.distance(to: UnsafeRawPointer(dot1))
        guard firstDot != secondDot else { throw threeParts }

        let headerPart = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payloadPart = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let badBase64 = VerificationError(.malformedToken, "token part is not valid base64url")
        guard let headerCount = Base64URL.decodedCount(headerPart.count),
              let payloadCount = Base64URL.decodedCount(payloadPart.count),
              let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...]))
        else { throw badBase64 }

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
        guard decoded else {
            let extraDot = payloadPart.contains(UInt8(ascii: "."))
            throw extraDot ? threeParts : badBase64
        }
        if let malformed {
            throw VerificationError(.malformedToken, "token payload is not a JSON object of claims (\(malformed.reason))")
        }
        self.header = header
        self.claims = claims
        self.payloadJSON = payloadJSON
        self.signature = signature
        self.signingInputCount = secondDot
    }

    /// Offset of the last "." in `bytes`, scanning back 8 bytes at a time (SWAR: a word
    /// XOR-ed with dots has a zero byte exactly where a dot was).
    static func lastDot(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let ones: UInt64 = 0x0101_0101_0101_0101
        var i = bytes.count
        while i >= 8 {
            let x = (base + i - 8).loadUnaligned(as: UInt64.self) ^ (ones &* UInt64(UInt8(ascii: ".")))
            if (x &- ones) & ~x & (ones &* 0x80) != 0 { break }
            i -= 8
        }
        while i > 0 {
            i -= 1
            if base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ".") { return i }
        }
        return nil
    }
}
