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
    let claims: TokenClaims
    /// The decoded payload text, returned to callers as `payload_json`.
    let payloadJSON: String
    let signature: [UInt8]
    /// Length of `header.payload`, the signed bytes: a prefix of the token.
    let signingInputCount: Int

    /// Parses `token` (its UTF-8 bytes). The size limit is the caller's (it knows the config).
    init(token: UnsafeRawBufferPointer) throws(VerificationError) {
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")) else {
            throw VerificationError(.malformedToken, "token is not three base64url parts")
        }
        let rest = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)...])
        guard let secondDotInRest = rest.firstIndex(of: UInt8(ascii: ".")) else {
            throw VerificationError(.malformedToken, "token is not three base64url parts")
        }
        let secondDot = firstDot + 1 + secondDotInRest
        let sigPart = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        guard !sigPart.contains(UInt8(ascii: ".")) else {
            throw VerificationError(.malformedToken, "token is not three base64url parts")
        }
        guard let headerBytes = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[..<firstDot])),
              let payloadBytes = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])),
              let signature = Base64URL.decode(sigPart)
        else { throw VerificationError(.malformedToken, "token part is not valid base64url") }

        let header = headerBytes.withUnsafeBytes { Self.parseHeader($0) }
        guard case .success(let (algorithm, keyID)) = header else {
            throw VerificationError(.malformedToken, "token header is not a JSON object (\(Self.reason(header)))")
        }
        let payload = payloadBytes.withUnsafeBytes { raw in
            Result { () throws(JSONReader.Malformed) in try TokenClaims(json: raw) }
        }
        guard case .success(let claims) = payload else {
            throw VerificationError(.malformedToken, "token payload is not a JSON object of claims (\(Self.reason(payload)))")
        }
        self.algorithm = algorithm
        self.keyID = keyID
        self.claims = claims
        // Valid UTF-8: strings were validated and everything outside them is ASCII.
        self.payloadJSON = String(decoding: payloadBytes, as: UTF8.self)
        self.signature = signature
        self.signingInputCount = secondDot
    }

    private static func parseHeader(_ raw: UnsafeRawBufferPointer) -> Result<(String?, String?), JSONReader.Malformed> {
        var algorithm: String?, keyID: String?
        var reader = JSONReader(raw)
        do {
            try reader.readObject { key, r throws(JSONReader.Malformed) in
                if key.matches("alg") {
                    if try r.peekKind() == .string { algorithm = try r.readString() } else { try r.skipValue() }
                } else if key.matches("kid") {
                    if try r.peekKind() == .string { keyID = try r.readString() } else { try r.skipValue() }
                } else {
                    try r.skipValue()
                }
            }
            try reader.finish()
        } catch {
            return .failure(error)
        }
        return .success((algorithm, keyID))
    }

    private static func reason<T>(_ result: Result<T, JSONReader.Malformed>) -> String {
        if case .failure(let e) = result { return "\(e.reason)" }
        return ""
    }
}
