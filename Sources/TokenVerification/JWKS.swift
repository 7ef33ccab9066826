import Foundation

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

    /// Raw material of one JWK, before the OpenSSL key is built. Read leniently: a member
    /// of another JSON type than a string reads as absent (and the key is then skipped for
    /// what it lacks), an element of `keys` that is not an object is no key at all.
    private struct RawJWK: Decodable {
        var kty: String?, use: String?, alg: String?, kid: String?, n: String?, e: String?

        enum CodingKeys: String, CodingKey { case kty, use, alg, kid, n, e }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func text(_ key: CodingKeys) -> String? { (try? c.decodeIfPresent(String.self, forKey: key)) ?? nil }
            kty = text(.kty); use = text(.use); alg = text(.alg); kid = text(.kid); n = text(.n); e = text(.e)
        }
    }

    /// The document: an object whose `keys` is an array; anything else in it is ignored.
    private struct Document: Decodable {
        var keys: [RawJWK]?

        enum CodingKeys: String, CodingKey { case keys }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard var list = try? c.nestedUnkeyedContainer(forKey: .keys) else { keys = nil; return }
            var keys: [RawJWK] = []
            while !list.isAtEnd {
                if let jwk = try? list.decode(RawJWK.self) {
                    keys.append(jwk)
                } else if (try? list.decode(Skipped.self)) == nil {
                    break  // cannot happen: Skipped reads nothing. Never loop on one element.
                }
            }
            self.keys = keys
        }

        /// Any JSON value, read past.
        private struct Skipped: Decodable {
            init(from decoder: any Decoder) throws {}
        }
    }

    /// Parses a document, reusing key objects from `previous` for unchanged kids.
    init(json: [UInt8], reusing previous: JWKSet? = nil) throws(ParseError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw ParseError(reason: "JWKS is not a JSON object")
        }
        guard let raws = document.keys else { throw ParseError(reason: "JWKS has no \"keys\" array") }
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

    /// True when both sets hold the same kids with the same keys.
    func sameKeys(as other: JWKSet) -> Bool {
        entries.count == other.entries.count
            && zip(entries, other.entries).allSatisfy { $0.kid == $1.kid && $0.key === $1.key }
    }
}
