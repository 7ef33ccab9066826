/// A JWKS document (RFC 7517 §5) reduced to what RS256 verification can use: RSA
/// signing keys by `kid`, each already an OpenSSL key object (SPEC §6: "keys parsed once").
///
/// A key is skipped, not fatal, when it is not `kty: RSA`, has a `use` other than `sig`,
/// an `alg` other than `RS256`, no `kid`, bad `n`/`e`, or a modulus under 2048 bits —
/// the way aws-jwt-verify's `jwk.ts` filters. The first key of a repeated `kid` wins.
struct JWKSet: Sendable {
    struct Entry: Sendable {
        let kid: String
        /// Decoded `n` and `e`, kept to tell an unchanged key on refresh (so the same
        /// `RSAPublicKey` object, and the verified-token cache entries under it, stay valid).
        let modulus: [UInt8]
        let exponent: [UInt8]
        let key: RSAPublicKey
    }

    let entries: [Entry]
    /// Why keys were skipped, e.g. `["kty EC", "modulus 1024 bits"]`; for logs.
    let skipped: [String]

    struct ParseError: Error { let reason: String }

    /// Raw material of one JWK, before the OpenSSL key is built.
    private struct RawJWK {
        var kty: String?, use: String?, alg: String?, kid: String?, n: String?, e: String?
    }

    /// Parses a document, reusing key objects from `previous` for unchanged kids.
    init(json: [UInt8], reusing previous: JWKSet? = nil) throws(ParseError) {
        let parsed = json.withUnsafeBytes { Self.readKeys($0) }
        guard case .success(let raws) = parsed else {
            if case .failure(let e) = parsed { throw ParseError(reason: "JWKS is not valid JSON (\(e.reason))") }
            throw ParseError(reason: "JWKS is not valid JSON")
        }
        guard let raws else { throw ParseError(reason: "JWKS has no \"keys\" array") }
        var entries: [Entry] = [], skipped: [String] = []
        var seen = Set<String>()
        for raw in raws {
            guard raw.kty == "RSA" else { skipped.append("kty \(raw.kty ?? "missing")"); continue }
            if let use = raw.use, use != "sig" { skipped.append("use \(use)"); continue }
            if let alg = raw.alg, alg != "RS256" { skipped.append("alg \(alg)"); continue }
            guard let kid = raw.kid, !kid.isEmpty else { skipped.append("no kid"); continue }
            guard !seen.contains(kid) else { skipped.append("repeated kid"); continue }
            guard let n = raw.n.flatMap({ Base64URL.decode($0) }), let e = raw.e.flatMap({ Base64URL.decode($0) }) else {
                skipped.append("bad n or e"); continue
            }
            if let old = previous?.entries.first(where: { $0.kid == kid }), old.modulus == n, old.exponent == e {
                entries.append(old)
            } else {
                do {
                    entries.append(Entry(kid: kid, modulus: n, exponent: e, key: try RSAPublicKey(modulus: n, exponent: e)))
                } catch {
                    skipped.append("\(error)"); continue
                }
            }
            seen.insert(kid)
        }
        self.entries = entries
        self.skipped = skipped
    }

    private static func readKeys(_ raw: UnsafeRawBufferPointer) -> Result<[RawJWK]?, JSONReader.Malformed> {
        var reader = JSONReader(raw)
        var keys: [RawJWK]?
        do {
            try reader.readObject { key, r throws(JSONReader.Malformed) in
                guard key.matches("keys"), try r.peekKind() == .array else { try r.skipValue(); return }
                var list: [RawJWK] = []
                try r.readArray { element throws(JSONReader.Malformed) in
                    guard try element.peekKind() == .object else { try element.skipValue(); return }
                    var jwk = RawJWK()
                    try element.readObject { k, v throws(JSONReader.Malformed) in
                        guard try v.peekKind() == .string else { try v.skipValue(); return }
                        if k.matches("kty") { jwk.kty = try v.readString() }
                        else if k.matches("use") { jwk.use = try v.readString() }
                        else if k.matches("alg") { jwk.alg = try v.readString() }
                        else if k.matches("kid") { jwk.kid = try v.readString() }
                        else if k.matches("n") { jwk.n = try v.readString() }
                        else if k.matches("e") { jwk.e = try v.readString() }
                        else { try v.skipValue() }
                    }
                    list.append(jwk)
                }
                keys = list
            }
            try reader.finish()
        } catch {
            return .failure(error)
        }
        return .success(keys)
    }

    /// True when both sets hold the same kids with the same keys.
    func sameKeys(as other: JWKSet) -> Bool {
        entries.count == other.entries.count
            && zip(entries, other.entries).allSatisfy { $0.kid == $1.kid && $0.key === $1.key }
    }
}
